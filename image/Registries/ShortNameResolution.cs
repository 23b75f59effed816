using CriO.Image.Reference;

namespace CriO.Image.Registries;

/// <summary>How a name given to <see cref="RegistriesConfig.ResolveShortName"/> became candidates.</summary>
public enum ShortNameResolutionKind
{
    /// <summary>The name had a registry: it is its own single candidate.</summary>
    FullyQualified,

    /// <summary>An [aliases] entry chose the repository: a single candidate.</summary>
    Alias,

    /// <summary>One candidate per unqualified-search registry, to be tried in order.</summary>
    SearchRegistries,
}

/// <summary>
/// The references to try, in order, for a name from a pod spec; the first that pulls wins.
/// <see cref="Origin"/> names the file that decided (the alias's or the search list's), so a
/// failed pull can say where to look.
/// </summary>
public sealed record ShortNameResolution(
    string Name, IReadOnlyList<ImageReference> Candidates, ShortNameResolutionKind Kind, string? Origin)
{
    /// <summary>One line for the log before pulling; empty for a fully qualified name.</summary>
    public string Description => Kind switch
    {
        ShortNameResolutionKind.Alias => $"resolved \"{Name}\" as an alias ({Origin})",
        ShortNameResolutionKind.SearchRegistries => $"resolving \"{Name}\" using unqualified-search registries ({Origin})",
        _ => "",
    };
}
