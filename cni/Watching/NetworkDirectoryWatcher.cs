using Microsoft.Extensions.Logging;

namespace CriO.Cni.Watching;

/// <summary>
/// Calls back when the network folder's content may have changed, so readiness follows a
/// network provider dropping its configuration in (or removing it) without a daemon restart.
/// <para>
/// Two inotify watches (FileSystemWatcher): one on the folder, for its files, and one on the
/// nearest existing ancestor, for the folder itself appearing, vanishing or being replaced (a
/// watch follows an inode, so a folder deleted and made again needs a new one). Events come in
/// bursts (an editor's temp file and rename, a provider copying several files), so the callback
/// runs once the events have been quiet for <see cref="Debounce"/>. A re-check on an interval
/// catches what no event shows: plugins installed into the plugin folders, an overflowed
/// event queue, a file system without inotify. It is quick while not ready, when the kubelet is
/// waiting, and slow once ready, to cost nothing on an idle node.
/// </para>
/// </summary>
internal sealed class NetworkDirectoryWatcher : IDisposable
{
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan RecheckWhileNotReady = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RecheckWhileReady = TimeSpan.FromSeconds(60);

    private readonly string _directory;
    private readonly Func<bool> _refresh;
    private readonly ILogger _logger;
    private readonly ITimer _debounce;
    private readonly ITimer _recheck;
    private readonly Lock _gate = new();
    private FileSystemWatcher? _folderWatcher;
    private FileSystemWatcher? _ancestorWatcher;
    private volatile bool _folderReplaced;
    private bool _disposed;

    /// <param name="directory">The folder to follow; it need not exist.</param>
    /// <param name="refresh">Re-reads the folder; returns whether the network is ready.</param>
    /// <param name="time">Source of the timers.</param>
    /// <param name="logger">Where watch failures are reported.</param>
    public NetworkDirectoryWatcher(string directory, Func<bool> refresh, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        _directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _refresh = refresh;
        _logger = logger;
        _debounce = time.CreateTimer(_ => Run(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _recheck = time.CreateTimer(_ => Run(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Sets the watches and runs the callback once now.</summary>
    public void Start() => Run();

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _debounce.Dispose();
            _recheck.Dispose();
            _folderWatcher?.Dispose();
            _ancestorWatcher?.Dispose();
        }
    }

    private void Poke() => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);

    private void Run()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var ready = false;
            try
            {
                Retarget();
                ready = _refresh();
            }
#pragma warning disable CA1031 // a timer callback has no caller: report, and try again at the next re-check
            catch (Exception e)
#pragma warning restore CA1031
            {
                CniLog.ReadinessCheckFailed(_logger, e);
            }

            _recheck.Change(ready ? RecheckWhileReady : RecheckWhileNotReady, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Points the two watches where they belong now. Called under the lock.</summary>
    private void Retarget()
    {
        var ancestor = NearestExistingAncestor();
        if (_ancestorWatcher?.Path != ancestor)
        {
            _ancestorWatcher?.Dispose();
            _ancestorWatcher = ancestor is null ? null : Watch(ancestor, OnAncestorEvent);
        }

        var exists = Directory.Exists(_directory);
        if (_folderReplaced || !exists || _folderWatcher is null)
        {
            _folderReplaced = false;
            _folderWatcher?.Dispose();
            _folderWatcher = exists ? Watch(_directory, (_, _) => Poke()) : null;
        }
    }

    private string? NearestExistingAncestor()
    {
        for (var parent = Path.GetDirectoryName(_directory); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (Directory.Exists(parent))
            {
                return parent;
            }
        }

        return null;
    }

    /// <summary>
    /// An event beside the folder or one of its missing ancestors: if it names the path towards
    /// the folder, the folder may have appeared, gone or been replaced.
    /// </summary>
    private void OnAncestorEvent(object sender, FileSystemEventArgs e)
    {
        var towards = e is RenamedEventArgs renamed && IsOnPath(renamed.OldFullPath) || IsOnPath(e.FullPath);
        if (towards)
        {
            _folderReplaced = true;
            Poke();
        }
    }

    private bool IsOnPath(string path)
    {
        path = Path.TrimEndingDirectorySeparator(path);
        return path == _directory || _directory.StartsWith(path + "/", StringComparison.Ordinal);
    }

    private FileSystemWatcher? Watch(string path, FileSystemEventHandler handler)
    {
        try
        {
            var watcher = new FileSystemWatcher(path)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.Attributes,
            };
            watcher.Created += handler;
            watcher.Changed += handler;
            watcher.Deleted += handler;
            watcher.Renamed += (sender, e) => handler(sender, e);
            watcher.Error += (_, e) =>
            {
                // Overflowed queue or a lost watch: look again from scratch.
                _folderReplaced = true;
                Poke();
            };
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // Out of inotify watches, or the folder went away meanwhile: the re-check still runs.
            CniLog.WatchFailed(_logger, e, path);
            return null;
        }
    }
}
