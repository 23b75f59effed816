
namespace CriO.Registry.Fixture;

/// <summary>How to run a <see cref="DistributionRegistry"/>.</summary>
public sealed record DistributionRegistryOptions
{
    public const string DefaultUsername = "crio";
    public const string DefaultPassword = "crio-secret";

    /// <summary>Serve HTTPS with a certificate from a fresh test CA (see <see cref="DistributionRegistry.CaCertificatePath"/>).</summary>
    public bool Tls { get; init; }

    public RegistryAuthMode Auth { get; init; } = RegistryAuthMode.None;

    /// <summary>The account of the htpasswd file, or of the token server the registry starts itself.</summary>
    public string Username { get; init; } = DefaultUsername;

    public string Password { get; init; } = DefaultPassword;

    /// <summary>
    /// Token mode: the token server to trust, owned by the caller (for several accounts or
    /// anonymous pulls). When null the registry starts one with <see cref="Username"/> and
    /// <see cref="Password"/>, and stops it on disposal.
    /// </summary>
    public TokenServer? TokenServer { get; init; }
}
