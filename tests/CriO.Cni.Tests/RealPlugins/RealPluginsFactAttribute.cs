namespace CriO.Cni.Tests.RealPlugins;

/// <summary>
/// A test that runs Debian's CNI plugins (<c>containernetworking-plugins</c>, in /usr/lib/cni)
/// against a real network namespace. It needs root (namespaces, links, iptables), the plugins
/// and iproute2; without them it is reported as skipped, with the reason, except under CI,
/// which runs as root with them installed, where a skip would hide a missing install step.
/// </summary>
public sealed class RealPluginsFactAttribute : FactAttribute
{
    public const string PluginDirectory = "/usr/lib/cni";

    public RealPluginsFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
        {
            return;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: network namespaces, links and iptables";
        }
        else if (!File.Exists(Path.Combine(PluginDirectory, "bridge")) || !File.Exists(Path.Combine(PluginDirectory, "portmap")))
        {
            Skip = $"needs the CNI plugins in {PluginDirectory} (apt-get install containernetworking-plugins)";
        }
        else if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            Skip = "needs iproute2 (apt-get install iproute2)";
        }
    }
}
