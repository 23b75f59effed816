using System.Globalization;
using System.Text;
using CriO.Conmon.Client.Interop;
using CriO.Conmon.Monitor.Interop;
using CriO.Storage.Interop;

namespace CriO.Conmon.Monitor;

/// <summary>
/// crio-conmon: a container's monitor with upstream conmon 2.x's command line and files. See
/// README.md. The first process waits on the start pipe (so the daemon can move it into its
/// cgroup first), starts the monitor proper in a session of its own, writes that one's pid to
/// the -P file and exits: what upstream's fork does, done with a spawn of this same binary,
/// since forking a .NET process is not safe.
/// </summary>
internal static class Program
{
    /// <summary>Set in the monitor stage's environment.</summary>
    public const string StageVariable = "_CRIO_CONMON_MONITOR";

    /// <summary>The upstream version whose behaviour this monitor follows; CRI-O reads it from --version.</summary>
    private const string UpstreamVersion = "2.1.6";

    private const string Version = "0.1.0";

    // Where the daemon's sync pipe sits in the monitor stage, as upstream's _OCI_SYNCPIPE.
    private const int SyncPipeNumber = 3;

    private static int Main(string[] args)
    {
        MonitorCommandLine options;
        try
        {
            options = MonitorCommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            Write(2, $"crio-conmon: {e.Message}\n");
            return 1;
        }

        if (options.Version)
        {
            Write(1, $"conmon version {UpstreamVersion}\ncommit: crio-conmon {Version}\n");
            return 0;
        }

        var syncPipe = PipeFromEnvironment("_OCI_SYNCPIPE");
        try
        {
            if (options.Exec)
            {
                // An exec monitor stays the caller's child: the caller waits for it.
                WaitForStartPipe();
                return new ContainerMonitor(options, syncPipe).Run();
            }

            return Environment.GetEnvironmentVariable(StageVariable) is null
                ? Detach(options, syncPipe, args)
                : new ContainerMonitor(options, syncPipe).Run();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Write(2, $"crio-conmon: {e.Message}\n");
            if (syncPipe is { IsClosed: false })
            {
                ContainerMonitor.WriteSyncMessage(syncPipe, -1, e.Message);
            }

            return 1;
        }
    }

    private static int Detach(MonitorCommandLine options, SafeFd? syncPipe, string[] args)
    {
        WaitForStartPipe();
        var environment = MonitorEnvironment.Inherited();
        environment.Add(StageVariable + "=1");
        var inherit = new List<(SafeFd, int)>();
        SafeFd? high = null;
        if (syncPipe is not null)
        {
            high = PipeCalls.MoveHigh(syncPipe);
            inherit.Add((high, SyncPipeNumber));
            environment.Add("_OCI_SYNCPIPE=" + SyncPipeNumber.ToString(CultureInfo.InvariantCulture));
        }

        var self = Environment.ProcessPath ?? throw new IOException("cannot find this program's own path");
        var pid = PosixSpawn.Spawn(self, args, environment, "/", inherit, newSession: true);
        high?.Dispose();
        if (options.ConmonPidFile.Length > 0)
        {
            File.WriteAllText(options.ConmonPidFile, pid.ToString(CultureInfo.InvariantCulture));
        }

        return 0;
    }

    // The daemon writes a byte (or closes the pipe) once it has put this process in its cgroup.
    private static void WaitForStartPipe()
    {
        if (PipeFromEnvironment("_OCI_STARTPIPE") is { } startPipe)
        {
            using (startPipe)
            {
                Span<byte> one = stackalloc byte[1];
                PipeCalls.WaitReadable(startPipe, -1);
                _ = PipeCalls.ReadAvailable(startPipe, one);
            }
        }
    }

    private static SafeFd? PipeFromEnvironment(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) && fd > 2
            ? new SafeFd(fd)
            : null;

    private static void Write(int fd, string text)
    {
        using var target = new SafeFd(fd);
        try
        {
            PipeCalls.WriteAll(target, Encoding.UTF8.GetBytes(text), "stdio");
        }
        catch (IOException)
        {
        }

        target.SetHandleAsInvalid();
    }
}
