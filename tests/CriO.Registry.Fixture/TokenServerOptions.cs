namespace CriO.Registry.Fixture;

/// <summary>Who may get which token from a <see cref="TokenServer"/>, and what the token says.</summary>
public sealed record TokenServerOptions
{
    public const string DefaultService = "crio-test-registry";
    public const string DefaultIssuer = "crio-test-token-server";

    /// <summary>Accounts checked against the Basic credentials of a token request.</summary>
    public IReadOnlyList<TokenUser> Users { get; init; } =
        [new(DistributionRegistryOptions.DefaultUsername, DistributionRegistryOptions.DefaultPassword)];

    /// <summary>Repositories that a request without credentials may pull.</summary>
    public IReadOnlyCollection<string> AnonymousPullRepositories { get; init; } = [];

    /// <summary>The registry's service name: the token's audience, and the registry's <c>auth.token.service</c>.</summary>
    public string Service { get; init; } = DefaultService;

    /// <summary>The token's issuer, and the registry's <c>auth.token.issuer</c>.</summary>
    public string Issuer { get; init; } = DefaultIssuer;

    /// <summary>How long a token is valid (exp - iat, and expires_in).</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// Whether the JWT header carries the signing certificate (<c>x5c</c>); without it the
    /// registry must find the key by the header's libtrust <c>kid</c>. Both ways must work.
    /// </summary>
    public bool IncludeCertificateChain { get; init; } = true;
}
