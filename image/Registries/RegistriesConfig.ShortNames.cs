using CriO.Image.Reference;

namespace CriO.Image.Registries;

public sealed partial class RegistriesConfig
{
    /// <summary>
    /// Turns a name from a pod spec into the references to try, in order, as CRI-O does through
    /// containers/image's shortnames.Resolve:
    /// <list type="number">
    /// <item>a name with a registry ('.', ':' or "localhost" in its first segment) is its own
    /// single candidate;</item>
    /// <item>an alias for the name (tag and digest stripped for the lookup, then put back) is
    /// the single candidate, whatever the mode;</item>
    /// <item>otherwise each unqualified-search registry gives one candidate, docker.io with
    /// docker's "library/" rule. With several of them, <see cref="ShortNameMode.Enforcing"/>
    /// refuses: a daemon has no terminal to ask on, so the ambiguity cannot be resolved
    /// (CRI-O reports it the same way). Permissive and disabled try them all, in order.</item>
    /// </list>
    /// </summary>
    public ShortNameResolution ResolveShortName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (ReferenceGrammar.IsImageId(name))
        {
            throw new ReferenceFormatException(name, "64 hexadecimal digits are an image ID, not a repository name");
        }

        var raw = ReferenceParser.ParseRaw(name);
        if (raw.HasRegistry)
        {
            return new ShortNameResolution(name, [ReferenceParser.Normalize(name, raw)], ShortNameResolutionKind.FullyQualified, Origin: null);
        }

        if (_aliases.TryGetValue(raw.Name, out var alias) && alias.Value is not null)
        {
            var aliased = alias.Value + (raw.Tag is null ? "" : ":" + raw.Tag) + (raw.Digest is null ? "" : "@" + raw.Digest);
            return new ShortNameResolution(name, [ImageReference.Parse(aliased)], ShortNameResolutionKind.Alias, alias.Source);
        }

        if (UnqualifiedSearchRegistries.Count == 0)
        {
            var where = UnqualifiedSearchRegistriesSource is null
                ? "no registries.conf sets unqualified-search-registries"
                : $"unqualified-search-registries is empty in {UnqualifiedSearchRegistriesSource}";
            throw new ShortNameResolutionException(name,
                $"short name \"{name}\" did not resolve to an alias and {where}; use a fully qualified image name");
        }

        var candidates = UnqualifiedSearchRegistries.Select(registry => ImageReference.Parse($"{registry}/{name}")).ToList();
        if (candidates.Count > 1 && ShortNameMode == ShortNameMode.Enforcing)
        {
            throw new ShortNameResolutionException(name,
                $"short name mode is enforcing, but image name {name} returns ambiguous list ({string.Join(", ", candidates)}); " +
                $"use a fully qualified image name or add an alias to [aliases] in registries.conf");
        }

        return new ShortNameResolution(name, candidates, ShortNameResolutionKind.SearchRegistries, UnqualifiedSearchRegistriesSource);
    }
}
