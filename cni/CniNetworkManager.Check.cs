using CriO.Cni.Config;
using CriO.Cni.Invocation;

namespace CriO.Cni;

public sealed partial class CniNetworkManager
{
    /// <summary>
    /// Asks the plugins whether the pod's networking is still as its ADD left it: CHECK through
    /// the list in order, with the cached configuration and the cached result as
    /// <c>prevResult</c>. Networks older than spec 0.4.0 have no CHECK, and a list may turn it
    /// off (<c>"disableCheck": true</c>): then this succeeds without running anything.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pod has no cached result: it was never attached, or was detached.</exception>
    /// <exception cref="CniPluginException">A plugin found a problem.</exception>
    /// <exception cref="CniPluginTimeoutException">A plugin ran past the timeout.</exception>
    public async Task CheckAsync(PodNetworkAttachment pod, CancellationToken cancellationToken)
    {
        CniIdentifiers.ThrowIfInvalid(pod);
        ObjectDisposedException.ThrowIf(_disposed, this);

        using var held = await _locks.AcquireAsync(LockKey(pod), cancellationToken).ConfigureAwait(false);
        var entries = FindCacheEntries(pod);
        if (entries.Count == 0)
        {
            throw new InvalidOperationException($"no cached CNI result for container {pod.ContainerId} interface {pod.InterfaceName}: nothing to check");
        }

        foreach (var (_, entry, network) in entries)
        {
            if (!CniVersion.SupportsCheck(network.CniVersion) || network.DisableCheck)
            {
                continue;
            }

            if (entry.Result is null)
            {
                throw new InvalidOperationException($"the cached CNI entry of container {pod.ContainerId} on network {network.Name} has no result to check against");
            }

            var cniArgs = entry.CniArgs.Count > 0 ? entry.CniArgs : CniArgs.For(pod);
            foreach (var plugin in network.Plugins)
            {
                await RunPluginAsync(PluginCommand.Check, network, plugin, pod, pod.NetNsPath, cniArgs, entry.CapabilityArgs, entry.Result, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
