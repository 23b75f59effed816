using CriO.Cni.Cache;
using CriO.Cni.Config;
using CriO.Cni.Invocation;
using CriO.Cni.Results;

namespace CriO.Cni;

public sealed partial class CniNetworkManager
{
    /// <summary>
    /// Attaches the pod to the default network: ADD through the plugin list in order, each
    /// plugin getting the previous one's result as <c>prevResult</c>; the final result is cached
    /// (durably, before this returns, so a DEL after a crash still finds it) and returned parsed.
    /// <para>
    /// All or nothing: if a plugin fails, times out, or the caller cancels, DEL runs for the whole
    /// list (on its own bounded token, not the caller's), the cache entry is removed, and the
    /// original error is thrown, so a kubelet retry starts from a clean node (no IP held).
    /// </para>
    /// </summary>
    /// <exception cref="NetworkNotReadyException">No usable network; the message is Status's.</exception>
    /// <exception cref="CniPluginException">A plugin failed or returned something that is not a result.</exception>
    /// <exception cref="CniPluginTimeoutException">A plugin ran past the timeout.</exception>
    /// <exception cref="ArgumentException">The container id or interface name cannot be used.</exception>
    public async Task<PodNetworkStatus> SetUpAsync(PodNetworkAttachment pod, CancellationToken cancellationToken)
    {
        CniIdentifiers.ThrowIfInvalid(pod);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var network = LoadDefaultNetwork();
        var cniArgs = CniArgs.For(pod);
        var capabilities = CapabilityArgs.For(pod);

        using var held = await _locks.AcquireAsync(LockKey(pod), cancellationToken).ConfigureAwait(false);
        try
        {
            var (result, lastPlugin) = await AddListAsync(network, pod, cniArgs, capabilities, cancellationToken).ConfigureAwait(false);
            PodNetworkStatus status;
            try
            {
                status = ResultParser.Parse(network.Name, result.Span);
            }
            catch (InvalidDataException e)
            {
                throw new CniPluginException(lastPlugin, PluginCommand.Add, 0, $"invalid result: {e.Message}", "");
            }

            _cache.Write(new CacheEntry(pod.ContainerId, network.Name, pod.InterfaceName, pod.NetNsPath, network.ListBytes, cniArgs, capabilities, result.ToArray()));
            CniLog.Attached(_logger, pod.PodNamespace, pod.PodName, pod.ContainerId, network.Name, string.Join(", ", status.Ips.Select(i => i.Address)));
            return status;
        }
        catch (Exception e)
        {
            CniLog.AddFailed(_logger, pod.ContainerId, network.Name, e.Message);
            await UndoAddAsync(network, pod, cniArgs, capabilities).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>ADD through the list; returns the final result and the plugin that wrote it.</summary>
    private async Task<(ReadOnlyMemory<byte> Result, string Plugin)> AddListAsync(
        NetworkDefinition network,
        PodNetworkAttachment pod,
        IReadOnlyList<KeyValuePair<string, string>> cniArgs,
        CapabilityArgs capabilities,
        CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte>? previous = null;
        foreach (var plugin in network.Plugins)
        {
            var output = await RunPluginAsync(PluginCommand.Add, network, plugin, pod, pod.NetNsPath, cniArgs, capabilities, previous, cancellationToken).ConfigureAwait(false);
            if (output.Span.Trim(" \t\r\n"u8).IsEmpty)
            {
                throw new CniPluginException(plugin.Type, PluginCommand.Add, 0, "ADD succeeded but printed no result", "");
            }

            previous = output;
        }

        return (previous!.Value, network.Plugins[^1].Type);
    }

    /// <summary>
    /// Best-effort DEL of a failed ADD, bounded on its own (a plugin timeout per plugin, plus one
    /// to spare): the caller's token may be the reason we are here. No prevResult, as the ADD
    /// produced no complete result. Failures are logged: the ADD's error is the one to report.
    /// </summary>
    private async Task UndoAddAsync(NetworkDefinition network, PodNetworkAttachment pod, IReadOnlyList<KeyValuePair<string, string>> cniArgs, CapabilityArgs capabilities)
    {
        using var bound = new CancellationTokenSource(Settings.PluginTimeout * (network.Plugins.Count + 1), _time);
        try
        {
            await DeleteListAsync(network, pod, NetNsForDelete(pod.NetNsPath), cniArgs, capabilities, null, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CniPluginException or CniPluginTimeoutException or OperationCanceledException)
        {
            CniLog.UndoFailed(_logger, e, pod.ContainerId);
        }

        try
        {
            ResultCache.Delete(_cache.PathOf(network.Name, pod.ContainerId, pod.InterfaceName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CniLog.UndoFailed(_logger, e, pod.ContainerId);
        }
    }
}
