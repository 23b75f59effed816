namespace CriO.Server.Config;

/// <summary>The effective configuration and what was ignored on the way (to be logged).</summary>
public sealed record LoadedConfig(CrioConfig Config, IReadOnlyList<ConfigWarning> Warnings);
