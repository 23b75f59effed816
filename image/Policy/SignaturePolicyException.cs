namespace CriO.Image.Policy;

/// <summary>
/// policy.json cannot be used: missing, unreadable, not JSON, or not the strict format of
/// containers-policy.json(5). Names the file and the JSON location (e.g.
/// <c>transports.docker["docker.io"][0].type</c>). Pulls must stop: guessing a policy would
/// defeat having one.
/// </summary>
public sealed class SignaturePolicyException : Exception
{
    public SignaturePolicyException(string source, string location, string reason)
        : base(location.Length == 0 ? $"{source}: {reason}" : $"{source}: {location}: {reason}")
    {
        Source = source;
        Location = location;
        Reason = reason;
    }

    /// <summary>The file path, or the name given to <see cref="SignaturePolicy.Parse"/>.</summary>
    public new string Source { get; }

    /// <summary>Where in the document; empty when the whole file is at fault.</summary>
    public string Location { get; }

    public string Reason { get; }
}
