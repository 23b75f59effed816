namespace CriO.Image.Registries;

/// <summary>
/// registries.conf <c>short-name-mode</c>: what to do with a short name that has no alias and
/// more than one unqualified-search registry. A daemon has no terminal to prompt on, so the
/// interactive branch of the man page never applies here.
/// </summary>
public enum ShortNameMode
{
    /// <summary>The man page's default: try every unqualified-search registry in order.</summary>
    Permissive,

    /// <summary>Refuse the ambiguity (CRI-O: "short name mode is enforcing, but image name … returns ambiguous list").</summary>
    Enforcing,

    /// <summary>Try every unqualified-search registry in order, never refuse.</summary>
    Disabled,
}
