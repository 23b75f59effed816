namespace CriO.Cni;

/// <summary>
/// One CNI network as loaded from network_dir: a .conflist, or a single-plugin .conf/.json
/// promoted to a list of one, which is how the CNI library treats it.
/// </summary>
public sealed record NetworkConfigList(string Name, string CniVersion, IReadOnlyList<string> PluginTypes, string Path);
