namespace CriO.Image.Registries;

/// <summary>
/// What one registries.conf file says, validated but not yet merged with the others. Absent
/// settings are null, so merging can tell "not set here" from "set to empty here".
/// </summary>
internal sealed class RegistriesFile(string source)
{
    public string Source { get; } = source;

    /// <summary>Unique by prefix (the first table with a prefix wins), sorted by prefix.</summary>
    public List<RegistryEntry> Registries { get; } = [];

    public List<string>? UnqualifiedSearchRegistries { get; set; }

    public ShortNameMode? ShortNameMode { get; set; }

    public Dictionary<string, ShortNameAlias> Aliases { get; } = new(StringComparer.Ordinal);

    public List<string> Warnings { get; } = [];
}
