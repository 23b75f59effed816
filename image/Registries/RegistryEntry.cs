namespace CriO.Image.Registries;

/// <summary>
/// One <c>[[registry]]</c> table after validation: which names it covers (<see cref="Prefix"/>)
/// and how to reach and treat them. The prefix is unique within a loaded configuration: a later
/// file's table with the same prefix replaced an earlier one as a whole.
/// </summary>
public sealed class RegistryEntry
{
    internal RegistryEntry(
        string prefix, string location, bool insecure, bool blocked, bool mirrorByDigestOnly,
        IReadOnlyList<RegistryMirror> mirrors, string source, int index)
    {
        Prefix = prefix;
        Location = location;
        Insecure = insecure;
        Blocked = blocked;
        MirrorByDigestOnly = mirrorByDigestOnly;
        Mirrors = mirrors;
        Source = source;
        Index = index;
    }

    /// <summary>host[:port][/namespace…][:tag|@digest], or a "*.example.com" wildcard on hosts.</summary>
    public string Prefix { get; }

    /// <summary>Where the prefix's namespace physically lives; empty only for a wildcard prefix (no rewrite).</summary>
    public string Location { get; }

    public bool Insecure { get; }

    /// <summary>Pulling any name under the prefix is refused.</summary>
    public bool Blocked { get; }

    /// <summary>Mirrors serve references by digest only; a tag is always pulled from the location.</summary>
    public bool MirrorByDigestOnly { get; }

    /// <summary>Tried in this order, before the location.</summary>
    public IReadOnlyList<RegistryMirror> Mirrors { get; }

    /// <summary>The file that defined this table, for messages.</summary>
    public string Source { get; }

    /// <summary>The table's position among the file's <c>[[registry]]</c> tables, for messages.</summary>
    internal int Index { get; }

    public bool IsWildcard => Prefix.StartsWith(PrefixMatch.WildcardStart, StringComparison.Ordinal);

    /// <summary>How messages name this table: file and key.</summary>
    internal string Key => $"registry[{Index}] (prefix \"{Prefix}\")";

    public override string ToString() => $"{Source}: {Key}";
}
