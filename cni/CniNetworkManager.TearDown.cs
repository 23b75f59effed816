using CriO.Cni.Cache;
using CriO.Cni.Config;

namespace CriO.Cni;

public sealed partial class CniNetworkManager
{
    /// <summary>
    /// Detaches the pod: DEL through the list in reverse order, with the configuration, arguments
    /// and result cached by its ADD when there is a cache entry (so it works after a daemon
    /// restart and after the network's file changed or went away), else with the current default
    /// network. The network namespace may already be gone: plugins then get an empty CNI_NETNS
    /// and release what lives outside it (IPs, iptables rules). The cache entry is removed once
    /// DEL succeeded.
    /// <para>
    /// Repeatable, as the CRI contract wants StopPodSandbox to be: with no cache entry and no
    /// network there is nothing to undo, and that is success.
    /// </para>
    /// </summary>
    /// <exception cref="CniPluginException">A plugin failed; the cache entry is kept for a retry.</exception>
    /// <exception cref="CniPluginTimeoutException">A plugin ran past the timeout; the cache entry is kept.</exception>
    public async Task TearDownAsync(PodNetworkAttachment pod, CancellationToken cancellationToken)
    {
        CniIdentifiers.ThrowIfInvalid(pod);
        ObjectDisposedException.ThrowIf(_disposed, this);

        using var held = await _locks.AcquireAsync(LockKey(pod), cancellationToken).ConfigureAwait(false);
        var netNs = NetNsForDelete(pod.NetNsPath);
        var entries = FindCacheEntries(pod);
        if (entries.Count == 0)
        {
            if (!Refresh().Ready)
            {
                CniLog.NothingToDetach(_logger, pod.ContainerId);
                return;
            }

            var current = LoadDefaultNetwork();
            await DeleteListAsync(current, pod, netNs, CniArgs.For(pod), CapabilityArgs.For(pod), null, cancellationToken).ConfigureAwait(false);

            // An unreadable entry of this very attachment is now undone too.
            ResultCache.Delete(_cache.PathOf(current.Name, pod.ContainerId, pod.InterfaceName));
            CniLog.Detached(_logger, pod.PodNamespace, pod.PodName, pod.ContainerId, current.Name);
            return;
        }

        foreach (var (path, entry, network) in entries)
        {
            // DEL undoes exactly what ADD was given: the cached arguments, where the entry has them.
            var cniArgs = entry.CniArgs.Count > 0 ? entry.CniArgs : CniArgs.For(pod);
            await DeleteListAsync(network, pod, netNs, cniArgs, entry.CapabilityArgs, entry.Result, cancellationToken).ConfigureAwait(false);
            ResultCache.Delete(path);
            CniLog.Detached(_logger, pod.PodNamespace, pod.PodName, pod.ContainerId, network.Name);
        }
    }

    /// <summary>
    /// The pod's cache entries whose configuration parses. An entry that does not is reported
    /// and not used: guessing a configuration to DEL with could release another network's
    /// state. It stays on disk unless a DEL on the current network of the same name covers it.
    /// </summary>
    private List<(string Path, CacheEntry Entry, NetworkDefinition Network)> FindCacheEntries(PodNetworkAttachment pod)
    {
        var problems = new List<(string Path, string Error)>();
        var usable = new List<(string, CacheEntry, NetworkDefinition)>();
        foreach (var (path, entry) in _cache.Find(pod.ContainerId, pod.InterfaceName, problems))
        {
            try
            {
                usable.Add((path, entry, NetworkDefinition.Parse(entry.Config)));
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
            {
                problems.Add((path, $"cached network configuration: {e.Message}"));
            }
        }

        foreach (var (path, error) in problems)
        {
            CniLog.CacheEntryUnreadable(_logger, path, error);
        }

        return usable;
    }
}
