namespace CriO.Image.Registry;

/// <summary>
/// What a pull authenticates with, as the CRI AuthConfig carries it: a username and password
/// (or the base64 "user:password" `auth` form), an identity token (an OAuth2 refresh token), or
/// a registry token (a bearer token used as it is).
/// </summary>
public sealed record RegistryCredentials(string? Username = null, string? Password = null, string? IdentityToken = null, string? RegistryToken = null)
{
    public static RegistryCredentials Anonymous { get; } = new();

    public bool HasPassword => !string.IsNullOrEmpty(Username) && Password is not null;

    /// <summary>From the CRI/docker `auth` field: base64 of "user:password".</summary>
    public static RegistryCredentials FromAuth(string auth)
    {
        string decoded;
        try
        {
            decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        }
        catch (FormatException)
        {
            throw new ArgumentException("auth is not base64", nameof(auth));
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0
            ? throw new ArgumentException("auth does not hold \"user:password\"", nameof(auth))
            : new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..]);
    }

    // Credentials never appear in logs or exception messages.
    public override string ToString() => HasPassword ? $"user {Username}" : IdentityToken is not null ? "identity token" : RegistryToken is not null ? "registry token" : "anonymous";
}
