namespace CriO.Cni;

/// <summary>
/// Where CNI lives on the node and how long a plugin may run. The daemon fills it from
/// crio.conf's <c>network_dir</c>, <c>plugin_dirs</c> and <c>cni_default_network</c>.
/// </summary>
/// <param name="NetworkDirectory">Folder of *.conf, *.conflist and *.json network configurations.</param>
/// <param name="PluginDirectories">Folders searched in order for plugin binaries; also given to plugins as CNI_PATH.</param>
/// <param name="DefaultNetwork">Name of the network to use; empty: the first valid configuration by file name.</param>
/// <param name="CacheDirectory">
/// Root of the result cache, <c>/var/lib/cni</c> in production: results go in its <c>results/</c>
/// folder in libcni's layout, so DEL works after a daemon restart and other libcni users
/// (podman, cnitool) read the same entries.
/// </param>
/// <param name="PluginTimeout">Bound on one plugin execution; a plugin still running then is killed.</param>
public sealed record CniSettings(
    string NetworkDirectory,
    IReadOnlyList<string> PluginDirectories,
    string DefaultNetwork,
    string CacheDirectory,
    TimeSpan PluginTimeout)
{
    /// <summary>libcni's cache root, which CRI-O and podman use too.</summary>
    public const string DefaultCacheDirectory = "/var/lib/cni";
}
