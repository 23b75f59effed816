using CriO.Cni.Config;
using CriO.Cni.Results;

namespace CriO.Cni;

public sealed partial class CniNetworkManager
{
    /// <summary>
    /// The pod's network status as its ADD cached it, without running any plugin: what a
    /// restarted daemon reports in PodSandboxStatus for pods it recovers. Null when the pod has
    /// no readable cache entry with a result. Takes no lock: entries are replaced atomically.
    /// </summary>
    /// <exception cref="ArgumentException">The container id or interface name cannot be used.</exception>
    public PodNetworkStatus? GetCachedStatus(string containerId, string interfaceName = "eth0")
    {
        var pod = new PodNetworkAttachment(containerId, "", "", "", "") { InterfaceName = interfaceName };
        CniIdentifiers.ThrowIfInvalid(pod);
        foreach (var (path, entry, network) in FindCacheEntries(pod))
        {
            if (entry.Result is null)
            {
                continue;
            }

            try
            {
                return ResultParser.Parse(network.Name, entry.Result);
            }
            catch (InvalidDataException e)
            {
                CniLog.CacheEntryUnreadable(_logger, path, e.Message);
            }
        }

        return null;
    }
}
