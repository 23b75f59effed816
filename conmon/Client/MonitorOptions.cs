namespace CriO.Conmon.Client;

/// <summary>
/// Everything one monitor (upstream conmon 2.x, or ours) needs to create and watch one
/// container. <see cref="ConmonCommandLine"/> turns it into conmon's command line, the same
/// options CRI-O passes in internal/oci/runtime_oci.go (CreateContainer).
/// </summary>
public sealed record MonitorOptions
{
    /// <summary>The monitor executable, for example /usr/bin/conmon.</summary>
    public required string ConmonPath { get; init; }

    /// <summary>The OCI runtime executable (<c>-r</c>), for example /usr/sbin/runc.</summary>
    public required string RuntimePath { get; init; }

    /// <summary>The runtime's state root, passed as <c>--runtime-arg --root=PATH</c>; null leaves the runtime's default.</summary>
    public string? RuntimeRoot { get; init; }

    /// <summary>The container id (<c>-c</c>); also the name of the exit file.</summary>
    public required string ContainerId { get; init; }

    /// <summary>The container UUID (<c>-u</c>); CRI-O passes the container id again. Null means the id.</summary>
    public string? ContainerUuid { get; init; }

    /// <summary>The container name (<c>-n</c>), used in conmon's own log lines.</summary>
    public required string Name { get; init; }

    /// <summary>The OCI bundle (<c>-b</c>); conmon runs there and puts its control FIFO there.</summary>
    public required string BundlePath { get; init; }

    /// <summary>Where the runtime writes the container's pid (<c>-p</c>); null means BUNDLE/pidfile, as CRI-O.</summary>
    public string? ContainerPidFile { get; init; }

    /// <summary>Where conmon writes its own pid (<c>-P</c>).</summary>
    public required string ConmonPidFile { get; init; }

    /// <summary>The CRI log file (<c>-l k8s-file:PATH</c>).</summary>
    public required string LogPath { get; init; }

    /// <summary>Folder where conmon writes the exit file EXIT_DIR/ID (<c>--exit-dir</c>).</summary>
    public required string ExitDirectory { get; init; }

    /// <summary>Folder of attach sockets (<c>--socket-dir-path</c>): conmon links SOCKET_DIR/UUID to the bundle.</summary>
    public required string SocketDirectory { get; init; }

    /// <summary>The container's persistent folder (<c>--persist-dir</c>): conmon writes exit and oom files there too.</summary>
    public string? PersistDirectory { get; init; }

    /// <summary>Log size limit in bytes (<c>--log-size-max</c>); negative means unlimited and is not passed, as CRI-O.</summary>
    public long LogSizeMax { get; init; } = -1;

    /// <summary>conmon's log level (<c>--log-level</c>): error, warn, info, debug, trace.</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary>Allocate a terminal (<c>-t</c>).</summary>
    public bool Terminal { get; init; }

    /// <summary>Keep stdin open for attach (<c>-i</c>); ignored with a terminal, as CRI-O.</summary>
    public bool Stdin { get; init; }

    /// <summary>
    /// CRI's stdin_once: stdin closes after the first attach ends. CRI-O passes
    /// <c>--leave-stdin-open</c> when stdin is set and this is false.
    /// </summary>
    public bool StdinOnce { get; init; }

    /// <summary>Log to syslog too (<c>--syslog</c>); CRI-O passes it, off by default here.</summary>
    public bool Syslog { get; init; }

    /// <summary>Put the attach socket at BUNDLE/attach instead of under the socket folder (<c>--full-attach</c>).</summary>
    public bool FullAttach { get; init; }

    /// <summary>Tell the runtime not to pivot_root (<c>--no-pivot</c>).</summary>
    public bool NoPivot { get; init; }

    /// <summary>The runtime uses the systemd cgroup manager (<c>-s</c>).</summary>
    public bool SystemdCgroup { get; init; }

    /// <summary>Don't sync the log file when the container exits (<c>--no-sync-log</c>).</summary>
    public bool NoSyncLog { get; init; }

    /// <summary>Program conmon runs after the container exits (<c>--exit-command</c>).</summary>
    public string? ExitCommand { get; init; }

    /// <summary>Arguments of <see cref="ExitCommand"/> (<c>--exit-command-arg</c>, one each).</summary>
    public IReadOnlyList<string> ExitCommandArguments { get; init; } = [];

    /// <summary>
    /// Extra runtime options (<c>--runtime-opt</c>, one each): conmon passes them to restore and
    /// exec only, never to create.
    /// </summary>
    public IReadOnlyList<string> RuntimeOptions { get; init; } = [];

    /// <summary>
    /// conmon's environment besides the pipe variables; CRI-O's default monitor_env is this PATH.
    /// </summary>
    public IReadOnlyList<string> Environment { get; init; } =
        ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    /// <summary>The UUID conmon sees: <see cref="ContainerUuid"/> or the id.</summary>
    public string EffectiveUuid => ContainerUuid ?? ContainerId;

    /// <summary>The container pid file conmon gets: <see cref="ContainerPidFile"/> or BUNDLE/pidfile.</summary>
    public string EffectiveContainerPidFile => ContainerPidFile ?? Path.Combine(BundlePath, "pidfile");
}
