using CriO.Image.Reference;

namespace CriO.Image.Registries;

/// <summary>
/// The effective containers-registries.conf(5): the main file, then each
/// <c>registries.conf.d/*.conf</c> drop-in in lexical order, merged as containers/image merges
/// them:
/// <list type="bullet">
/// <item><c>[[registry]]</c> tables are keyed by prefix; a later file's table replaces an
/// earlier table with the same prefix as a whole, others are kept;</item>
/// <item><c>unqualified-search-registries</c> and <c>short-name-mode</c> are replaced by the last
/// file that sets them (an empty list set later does clear the list);</item>
/// <item><c>[aliases]</c> are merged name by name, a later value winning and "" erasing.</item>
/// </list>
/// A missing main file is an empty configuration, as containers/image treats its default
/// path. Immutable: reload by loading again.
/// </summary>
public sealed partial class RegistriesConfig
{
    // A registries.conf is a few KiB; refuse anything that is clearly not one.
    private const long MaxFileBytes = 4 * 1024 * 1024;

    private readonly Dictionary<string, ShortNameAlias> _aliases;

    private RegistriesConfig(
        IReadOnlyList<RegistryEntry> registries, IReadOnlyList<string> searchRegistries, string? searchRegistriesSource,
        ShortNameMode shortNameMode, Dictionary<string, ShortNameAlias> aliases, IReadOnlyList<string> warnings)
    {
        Registries = registries;
        UnqualifiedSearchRegistries = searchRegistries;
        UnqualifiedSearchRegistriesSource = searchRegistriesSource;
        ShortNameMode = shortNameMode;
        _aliases = aliases;
        Aliases = aliases.Values.Where(a => a.Value is not null).ToDictionary(a => a.Name, a => a.Value!, StringComparer.Ordinal);
        Warnings = warnings;
    }

    /// <summary>No file at all: no rewrites, no short names, permissive mode.</summary>
    public static RegistriesConfig Empty { get; } = Merge([]);

    /// <summary>Every [[registry]] table in effect, sorted by prefix.</summary>
    public IReadOnlyList<RegistryEntry> Registries { get; }

    /// <summary>host[:port] entries tried, in order, for a short name without an alias.</summary>
    public IReadOnlyList<string> UnqualifiedSearchRegistries { get; }

    /// <summary>The file that set <see cref="UnqualifiedSearchRegistries"/>, or null if none did.</summary>
    public string? UnqualifiedSearchRegistriesSource { get; }

    /// <summary>The last file's short-name-mode, else the man page's default, permissive.</summary>
    public ShortNameMode ShortNameMode { get; }

    /// <summary>Short name → normalised repository; erased aliases are absent.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; }

    /// <summary>Unknown or unsupported keys that were ignored, as "file: key: why".</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Loads <paramref name="path"/> (may be missing) and the drop-ins of
    /// <paramref name="dropInDirectory"/> (may be missing).
    /// </summary>
    public static RegistriesConfig Load(string path, string dropInDirectory) => Load(path, dropInDirectory, shortNameAliasesPath: null);

    /// <summary>
    /// As <see cref="Load(string, string)"/>, then the machine-written alias cache
    /// (<c>/var/cache/containers/short-name-aliases.conf</c> for root): its aliases take
    /// precedence over every registries.conf, as the man page says.
    /// </summary>
    public static RegistriesConfig Load(string path, string dropInDirectory, string? shortNameAliasesPath)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dropInDirectory);
        var files = new List<RegistriesFile>();
        if (ReadFile(path) is { } main)
        {
            files.Add(RegistriesFileParser.Parse(main, path, RegistriesFileKind.Main));
        }

        foreach (var dropIn in DropIns(dropInDirectory))
        {
            // A file removed between listing and reading is a race, not an error.
            if (ReadFile(dropIn) is { } text)
            {
                files.Add(RegistriesFileParser.Parse(text, dropIn, RegistriesFileKind.DropIn));
            }
        }

        if (shortNameAliasesPath is not null && ReadFile(shortNameAliasesPath) is { } aliases)
        {
            files.Add(RegistriesFileParser.Parse(aliases, shortNameAliasesPath, RegistriesFileKind.AliasesOnly));
        }

        return Merge(files);
    }

    /// <summary>One document, with the main file's rules (v1 accepted); <paramref name="source"/> names it in messages.</summary>
    public static RegistriesConfig Parse(string toml, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Merge([RegistriesFileParser.Parse(toml, source, RegistriesFileKind.Main)]);
    }

    /// <summary>
    /// The same configuration with another short-name mode: CRI-O's own <c>short_name_mode</c>
    /// setting overrides registries.conf.
    /// </summary>
    public RegistriesConfig WithShortNameMode(ShortNameMode mode) =>
        new(Registries, UnqualifiedSearchRegistries, UnqualifiedSearchRegistriesSource, mode, _aliases, Warnings);

    /// <summary>
    /// The [[registry]] table whose prefix covers <paramref name="reference"/>, the longest
    /// prefix winning; null when none does (the reference is then used as it is).
    /// </summary>
    public RegistryEntry? FindRegistry(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Find(reference.ToString());
    }

    /// <summary>
    /// Where to pull <paramref name="reference"/> from, in order: the matching table's mirrors
    /// (those allowed for a tag or digest reference by <c>mirror-by-digest-only</c> and
    /// <c>pull-from-mirror</c>), then its location. Each is the reference with the prefix
    /// replaced by that endpoint's location. Throws <see cref="BlockedRegistryException"/> when
    /// the reference, or the location it is rewritten to, is under a blocked prefix; a mirror
    /// under a blocked prefix is left out.
    /// </summary>
    public IReadOnlyList<PullSource> PullSources(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var registry = Find(reference.ToString());
        if (registry is null)
        {
            return [new PullSource(reference, Insecure: false, IsMirror: false)];
        }

        if (registry.Blocked)
        {
            throw new BlockedRegistryException(reference, registry);
        }

        // A reference with both a tag and a digest is pulled by its digest.
        var byDigest = reference.Digest is not null;
        var sources = new List<PullSource>();
        for (var i = 0; i < registry.Mirrors.Count; i++)
        {
            var mirror = registry.Mirrors[i];
            var allowed = registry.MirrorByDigestOnly
                ? byDigest
                : mirror.PullFromMirror switch
                {
                    PullFromMirror.DigestOnly => byDigest,
                    PullFromMirror.TagOnly => !byDigest,
                    _ => true,
                };
            if (!allowed)
            {
                continue;
            }

            var rewritten = Rewrite(reference, registry, mirror.Location, $"{registry.Key}.mirror[{i}].location");
            if (Find(rewritten.ToString()) is not { Blocked: true })
            {
                sources.Add(new PullSource(rewritten, mirror.Insecure, IsMirror: true));
            }
        }

        var primary = registry.Location.Length == 0
            ? reference
            : Rewrite(reference, registry, registry.Location, $"{registry.Key}.location");
        if (Find(primary.ToString()) is { Blocked: true } blockedTarget)
        {
            throw new BlockedRegistryException(primary, blockedTarget);
        }

        sources.Add(new PullSource(primary, registry.Insecure, IsMirror: false));
        return sources;
    }

    private RegistryEntry? Find(string reference)
    {
        // Registries are sorted by prefix; on equal prefix lengths the first stays, as in containers/image.
        RegistryEntry? best = null;
        foreach (var registry in Registries)
        {
            if (registry.Prefix.Length > (best?.Prefix.Length ?? 0) && PrefixMatch.Length(reference, registry.Prefix) >= 0)
            {
                best = registry;
            }
        }

        return best;
    }

    // The part of the reference after the prefix is appended to the location. The result must
    // already be canonical: "docker.io/busybox" would silently mean docker.io/library/busybox,
    // so containers/image refuses it, and so do we.
    private static ImageReference Rewrite(ImageReference reference, RegistryEntry registry, string location, string key)
    {
        var text = reference.ToString();
        var covered = PrefixMatch.Length(text, registry.Prefix);
        var rewritten = location + text[covered..];
        ImageReference result;
        try
        {
            result = ImageReference.Parse(rewritten);
        }
        catch (ReferenceFormatException e)
        {
            throw new RegistriesConfigException(registry.Source, key,
                $"rewriting {reference} to \"{rewritten}\" gives no valid reference: {e.Reason}");
        }

        if (!string.Equals(result.ToString(), rewritten, StringComparison.Ordinal))
        {
            throw new RegistriesConfigException(registry.Source, key,
                $"rewriting {reference} gives \"{rewritten}\", which is not in canonical form (it would mean {result}); write the location in full");
        }

        return result;
    }

    private static RegistriesConfig Merge(IReadOnlyList<RegistriesFile> files)
    {
        var registries = new Dictionary<string, RegistryEntry>(StringComparer.Ordinal);
        List<string> search = [];
        string? searchSource = null;
        var mode = ShortNameMode.Permissive;
        var aliases = new Dictionary<string, ShortNameAlias>(StringComparer.Ordinal);
        var warnings = new List<string>();
        foreach (var file in files)
        {
            foreach (var registry in file.Registries)
            {
                registries[registry.Prefix] = registry;
            }

            if (file.UnqualifiedSearchRegistries is { } fileSearch)
            {
                search = fileSearch;
                searchSource = file.Source;
            }

            mode = file.ShortNameMode ?? mode;
            foreach (var (name, alias) in file.Aliases)
            {
                aliases[name] = alias;
            }

            warnings.AddRange(file.Warnings);
        }

        var sorted = registries.Values.OrderBy(r => r.Prefix, StringComparer.Ordinal).ToList();
        return new RegistriesConfig(sorted, search, searchSource, mode, aliases, warnings);
    }

    private static IEnumerable<string> DropIns(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        try
        {
            // Only *.conf directly in the folder (no recursion), in byte order as Go's WalkDir lists them.
            var files = Directory.GetFiles(directory)
                .Where(f => f.EndsWith(".conf", StringComparison.Ordinal))
                .ToArray();
            Array.Sort(files, StringComparer.Ordinal);
            return files;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistriesConfigException(directory, "", $"cannot list the drop-in directory: {e.Message}");
        }
    }

    /// <summary>The file's text, or null if it does not exist.</summary>
    private static string? ReadFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            return info.Length > MaxFileBytes
                ? throw new RegistriesConfigException(path, "", $"the file is larger than {MaxFileBytes} bytes")
                : File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistriesConfigException(path, "", $"cannot read the file: {e.Message}");
        }
    }
}
