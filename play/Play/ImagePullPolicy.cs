namespace CriO.Server.Play;

/// <summary>
/// imagePullPolicy and its API default: Always when the image names no tag or the tag latest
/// (and no digest), IfNotPresent otherwise.
/// </summary>
public static class ImagePullPolicy
{
    public const string Always = "Always";
    public const string IfNotPresent = "IfNotPresent";
    public const string Never = "Never";

    public static string Effective(string? policy, string image) =>
        string.IsNullOrEmpty(policy) ? Default(image) : policy;

    public static string Default(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return IfNotPresent;
        }

        // A ':' after the last '/' starts the tag; one before it is a registry port.
        var lastPart = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastPart.LastIndexOf(':');
        return colon < 0 || lastPart[(colon + 1)..] == "latest" ? Always : IfNotPresent;
    }

    /// <summary>Whether to pull, given whether the image is already in the store; null when it must be there but is not.</summary>
    public static bool? ShouldPull(string policy, bool present) => policy switch
    {
        Always => true,
        Never => present ? false : null,
        _ => !present,
    };
}
