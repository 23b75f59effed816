using System.Globalization;

namespace CriO.Conmon.Client;

/// <summary>
/// Where a conmon 2.1 monitor keeps its files, for one container (seen with Debian's 2.1.6):
/// <code>
/// BUNDLE/ctl                 control FIFO: "1 H W\n" resizes the terminal, "2 0 0\n" reopens the log;
///                            stays after conmon exited (then opening it for writing fails: ENXIO)
/// BUNDLE/winsz               conmon's internal resize FIFO (made with or without a terminal)
/// BUNDLE/attach              attach socket (SOCK_SEQPACKET); gone once conmon exited
/// SOCKET_DIR/UUID            symlink to BUNDLE, so SOCKET_DIR/UUID/attach stays short enough
///                            for sun_path; not made with --full-attach
/// EXIT_DIR/ID                exit file: the exit code in decimal (128+N after signal N)
/// PERSIST_DIR/exit           the same exit code (and PERSIST_DIR/oom after an OOM kill)
/// -P file                    conmon's own pid; -p file the container's pid (runtime writes it)
/// </code>
/// </summary>
public static class MonitorFiles
{
    /// <summary>The control FIFO conmon reads resize and log-reopen messages from.</summary>
    public static string ControlFifo(MonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ControlFifo(options.BundlePath);
    }

    /// <summary>The control FIFO of the monitor whose bundle is <paramref name="bundle"/>.</summary>
    public static string ControlFifo(string bundle) => Path.Combine(bundle, "ctl");

    /// <summary>The largest packet the attach socket sends: a stream byte and 8192 bytes of data.</summary>
    public const int AttachPacketSize = 8193;

    /// <summary>The attach socket of a container whose monitor was started without --full-attach.</summary>
    public static string AttachSocket(string socketDirectory, string uuid) => Path.Combine(socketDirectory, uuid, "attach");

    /// <summary>The attach socket path a client connects to.</summary>
    public static string AttachSocket(MonitorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.FullAttach
            ? Path.Combine(options.BundlePath, "attach")
            : AttachSocket(options.SocketDirectory, options.EffectiveUuid);
    }

    /// <summary>The exit file conmon writes when the container has exited.</summary>
    public static string ExitFile(string exitDirectory, string containerId) => Path.Combine(exitDirectory, containerId);

    /// <summary>
    /// A pid from a pid file (conmon's -P or the runtime's -p); null when the file is missing,
    /// empty or not a number yet.
    /// </summary>
    public static int? ReadPid(string pidFile)
    {
        string text;
        try
        {
            text = File.ReadAllText(pidFile);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
    }
}
