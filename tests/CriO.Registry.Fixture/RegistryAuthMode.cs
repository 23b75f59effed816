namespace CriO.Registry.Fixture;

/// <summary>How a <see cref="DistributionRegistry"/> authenticates clients.</summary>
public enum RegistryAuthMode
{
    /// <summary>Anyone may pull and push.</summary>
    None,

    /// <summary>HTTP Basic against a bcrypt htpasswd file (<c>auth.htpasswd</c>).</summary>
    Htpasswd,

    /// <summary>Bearer tokens from a <see cref="TokenServer"/> (<c>auth.token</c>).</summary>
    Token,
}
