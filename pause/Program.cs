using CriO.Pause.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Pause;

/// <summary>
/// crio-pause: the infra process of a pod with its own PID namespace, run there as PID 1 by
/// crio-pinns. It holds the pod's namespaces, reaps the orphans the kernel hands it, and exits 0
/// on SIGTERM or SIGINT; otherwise it sleeps in a read of a signalfd, never polling. See README.md.
/// </summary>
internal static class Program
{
    private const string Version = "0.1.0";

    /// <summary>
    /// The root used without --root: an empty, root-owned directory that many distributions ship
    /// (Fedora, RHEL, Arch, Alpine have it for sshd); where it is missing (Debian), no chroot.
    /// </summary>
    private const string DefaultRoot = "/var/empty";

    private const string Usage = "usage: crio-pause [--root DIR] | --version\n";

    private static int Main(string[] args)
    {
        string? root = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--version":
                    PauseCalls.WriteText(1, $"crio-pause version {Version}\n");
                    return 0;
                case "--root" when i + 1 < args.Length && args[i + 1].Length > 0:
                    root = args[++i];
                    break;
                default:
                    PauseCalls.WriteText(2, $"crio-pause: unexpected argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }

        try
        {
            return Run(root);
        }
        catch (IOException e)
        {
            // stderr may be /dev/null by now; the exit code is what the reaper sees.
            PauseCalls.WriteText(2, $"crio-pause: {e.Message}\n");
            return 1;
        }
    }

    private static int Run(string? root)
    {
        // 1. Signals first: SIGTERM, SIGINT and SIGCHLD blocked in every thread, then a handler
        //    for SIGTERM and SIGINT as the mark that the pause is ready; the rest ignored.
        SignalMask.BlockInEveryThread();
        PauseCalls.CatchTermination();
        PauseCalls.IgnoreSignals();
        PauseCalls.SetName("crio-pause");
        if (root is not null && !PauseCalls.IsDirectory(root))
        {
            throw new IOException($"--root {root}: not a directory");
        }

        root ??= PauseCalls.IsDirectory(DefaultRoot) ? DefaultRoot : null;

        // 2. Detach from whoever started it, then give up the file system and every privilege.
        PauseCalls.NewSession();
        PauseCalls.ChangeDirectory("/");
        PauseCalls.StdioToDevNull();
        PauseCalls.NoNewPrivileges();
        if (root is not null)
        {
            PauseCalls.ChangeRoot(root);
        }

        PauseCalls.DropAllCapabilities();

        // 3. Sleep; reap on SIGCHLD (and once first: a child may have ended before we looked).
        var signals = PauseCalls.OpenSignalFd();
        while (true)
        {
            PauseCalls.ReapChildren();
            var signal = PauseCalls.WaitForSignal(signals);
            if (signal == SIGTERM || signal == SIGINT)
            {
                return 0;
            }
        }
    }
}
