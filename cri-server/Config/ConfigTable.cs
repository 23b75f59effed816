namespace CriO.Server.Config;

/// <summary>One TOML table of the configuration (e.g. crio.runtime) and its keys, in print order.</summary>
public sealed record ConfigTable(string Name, string Description, IReadOnlyList<ConfigKey<CrioConfig>> Keys);
