using CriO.Cni.Cache;
using CriO.Cni.Config;
using CriO.Cni.Interop;
using CriO.Cni.Invocation;
using CriO.Cni.Locking;
using CriO.Cni.Watching;
using Microsoft.Extensions.Logging;

namespace CriO.Cni;

/// <summary>
/// Pod networking through CNI plugins, as libcni does it for CRI-O: attaches a pod sandbox to
/// the default network (ADD through the plugin list), detaches it (DEL, from the cached result so
/// it works after a restart or a configuration change), checks it (CHECK), and keeps the
/// network's readiness current for Status by following the configuration folder.
/// <para>
/// Locking: one lock per attachment (container id + interface), held across that attachment's
/// plugin runs and cache write; nothing global is held across a plugin run, so pods attach in
/// parallel.
/// </para>
/// </summary>
public sealed partial class CniNetworkManager : IDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PluginExecutor _executor;
    private readonly ResultCache _cache;
    private readonly AttachmentLocks _locks = new();
    private readonly Lock _readinessGate = new();
    private NetworkDirectoryWatcher? _watcher;
    private volatile NetworkReadiness? _readiness;
    private volatile bool _disposed;

    public CniNetworkManager(CniSettings settings, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        if (settings.PluginTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.PluginTimeout, "the plugin timeout must be positive");
        }

        Settings = settings;
        _logger = logger;
        _time = time;
        _executor = new PluginExecutor(settings, time, logger);
        _cache = new ResultCache(settings.CacheDirectory);
    }

    public CniSettings Settings { get; }

    /// <summary>
    /// Whether pod networking can work, as Status reports it: cached, so reading it costs nothing.
    /// It follows the configuration folder once <see cref="Start"/> ran; before that it is read
    /// once on first use. SetUp re-reads it too, so an attachment never uses a stale choice.
    /// </summary>
    public NetworkReadiness Readiness => _readiness ?? Refresh();

    /// <summary>Raised after <see cref="Readiness"/> changed (on a timer or watcher thread); handlers must not block.</summary>
    public event Action<NetworkReadiness>? ReadinessChanged;

    /// <summary>
    /// Starts following <see cref="CniSettings.NetworkDirectory"/>: files appearing, changing or
    /// disappearing, and the folder itself appearing later. Returns after the first check.
    /// </summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var watcher = new NetworkDirectoryWatcher(Settings.NetworkDirectory, () => Refresh().Ready, _time, _logger);
        if (Interlocked.CompareExchange(ref _watcher, watcher, null) is not null)
        {
            watcher.Dispose();
            return; // started already
        }

        watcher.Start();
    }

    public void Dispose()
    {
        _disposed = true;
        Interlocked.Exchange(ref _watcher, null)?.Dispose();
    }

    /// <summary>Checks the configuration now; updates <see cref="Readiness"/> and tells the listeners when it changed.</summary>
    private NetworkReadiness Refresh()
    {
        var next = NetworkReadiness.Check(Settings.NetworkDirectory, Settings.PluginDirectories, Settings.DefaultNetwork);
        lock (_readinessGate)
        {
            if (_readiness is { } current && Same(current, next))
            {
                return current;
            }

            _readiness = next;
        }

        if (next.Network is { } network)
        {
            CniLog.NetworkReady(_logger, network.Name, network.Path, string.Join(", ", network.PluginTypes));
        }
        else
        {
            CniLog.NetworkNotReady(_logger, next.Message);
        }

        try
        {
            ReadinessChanged?.Invoke(next);
        }
#pragma warning disable CA1031 // a listener's bug must not break readiness for Status
        catch (Exception e)
#pragma warning restore CA1031
        {
            CniLog.ReadinessHandlerFailed(_logger, e);
        }

        return next;
    }

    /// <summary>Record equality would compare the plugin lists by reference.</summary>
    private static bool Same(NetworkReadiness a, NetworkReadiness b) =>
        a.Ready == b.Ready
        && a.Reason == b.Reason
        && a.Message == b.Message
        && (a.Network, b.Network) switch
        {
            (null, null) => true,
            ({ } x, { } y) => x.Name == y.Name && x.Path == y.Path && x.CniVersion == y.CniVersion && x.PluginTypes.SequenceEqual(y.PluginTypes),
            _ => false,
        };

    /// <summary>
    /// The default network as readiness chose it, read from its file now. A file replaced between
    /// the check and the read is read again once.
    /// </summary>
    /// <exception cref="NetworkNotReadyException">No usable network.</exception>
    private NetworkDefinition LoadDefaultNetwork()
    {
        for (var attempt = 0; ; attempt++)
        {
            var readiness = Refresh();
            if (!readiness.Ready || readiness.Network is null)
            {
                throw new NetworkNotReadyException(readiness);
            }

            try
            {
                var network = NetworkDefinition.Parse(NetworkConfigLoader.ReadBounded(readiness.Network.Path));
                CniIdentifiers.ThrowIfInvalidNetworkName(network.Name);
                return network;
            }
            catch (Exception e) when (attempt == 0 && e is IOException or System.Text.Json.JsonException)
            {
                // Changed under us: look again.
            }
        }
    }

    /// <summary>The lock key of one attachment: the same pod may have several interfaces.</summary>
    private static string LockKey(PodNetworkAttachment pod) => $"{pod.ContainerId}/{pod.InterfaceName}";

    /// <summary>Runs one plugin of <paramref name="network"/> for <paramref name="pod"/>; returns its stdout.</summary>
    private Task<ReadOnlyMemory<byte>> RunPluginAsync(
        string command,
        NetworkDefinition network,
        PluginDefinition plugin,
        PodNetworkAttachment pod,
        string netNs,
        IReadOnlyList<KeyValuePair<string, string>> cniArgs,
        CapabilityArgs capabilities,
        ReadOnlyMemory<byte>? prevResult,
        CancellationToken cancellationToken)
    {
        var path = PluginLocator.Find(plugin.Type, Settings.PluginDirectories)
            ?? throw new CniPluginException(plugin.Type, command, 0, $"plugin not found in {string.Join(", ", Settings.PluginDirectories)}", "");
        var stdin = PluginConfigWriter.Build(network, plugin, capabilities, prevResult);
        var request = new PluginRequest(command, plugin.Type, path, pod.ContainerId, netNs, pod.InterfaceName, CniArgs.Format(cniArgs), stdin);
        return _executor.RunAsync(request, cancellationToken);
    }

    /// <summary>
    /// DEL through the list in reverse order. Every plugin gets its DEL even when an earlier one
    /// failed, so one failure leaks as little as possible; the first failure is then thrown (the
    /// caller keeps the cache entry, and a retry runs the whole DEL again, which plugins accept).
    /// </summary>
    private async Task DeleteListAsync(
        NetworkDefinition network,
        PodNetworkAttachment pod,
        string netNs,
        IReadOnlyList<KeyValuePair<string, string>> cniArgs,
        CapabilityArgs capabilities,
        ReadOnlyMemory<byte>? cachedResult,
        CancellationToken cancellationToken)
    {
        // prevResult on DEL came with 0.4.0; older plugins would not expect it.
        var prevResult = CniVersion.SupportsCheck(network.CniVersion) ? cachedResult : null;
        Exception? first = null;
        for (var i = network.Plugins.Count - 1; i >= 0; i--)
        {
            try
            {
                await RunPluginAsync(PluginCommand.Del, network, network.Plugins[i], pod, netNs, cniArgs, capabilities, prevResult, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is CniPluginException or CniPluginTimeoutException)
            {
                first ??= e;
            }
        }

        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    /// <summary>
    /// CNI_NETNS for a DEL: the path while it still is a network namespace, else empty, which
    /// the spec lets plugins take as "the namespace is gone, clean up the rest".
    /// </summary>
    private static string NetNsForDelete(string path) => NamespaceProbe.IsNamespace(path) ? path : "";
}
