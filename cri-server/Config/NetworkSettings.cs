namespace CriO.Server.Config;

/// <summary>[crio.network]: where CNI configurations and plugin binaries are.</summary>
public sealed class NetworkSettings
{
    public string CniDefaultNetwork { get; set; } = "";
    public string NetworkDir { get; set; } = "/etc/cni/net.d/";
    // Debian installs the plugins in /usr/lib/cni; upstream's convention is /opt/cni/bin.
    public IReadOnlyList<string> PluginDirs { get; set; } = ["/opt/cni/bin/", "/usr/lib/cni/"];
    // Not in CRI-O (its plugins run unbounded): a hung plugin must not hold a pod forever.
    public string CniPluginTimeout { get; set; } = "60s";
}
