namespace CriO.Cni;

/// <summary>A plugin's answer to VERSION: the version it answered in and every spec version it supports.</summary>
public sealed record PluginVersionInfo(string CniVersion, IReadOnlyList<string> SupportedVersions);
