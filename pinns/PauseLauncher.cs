using System.Diagnostics;
using System.Globalization;
using CriO.Pinns.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Pinns;

/// <summary>
/// <c>--pause PATH</c>: starts the pod's infra process as PID 1 of a new PID namespace, inside the
/// namespaces the calling thread has just made, and waits until it is ready.
/// </summary>
/// <remarks>
/// <para>
/// After unshare(CLONE_NEWPID) the calling thread stays where it is and its next child is PID 1
/// of the new namespace, inheriting the thread's net, ipc and uts namespaces; posix_spawn forks
/// from the calling thread (<see cref="NamespaceCalls.Spawn"/>). Right after, the thread's PID
/// namespace for children is set back to its own, because until then the kernel refuses to
/// create a thread from it, and the runtime may want one.
/// </para>
/// <para>
/// The pause gets /dev/null for stdio, an empty environment, no descriptor of pinns' (all are
/// made close-on-exec first, including any the daemon leaked to pinns) and default signal
/// handling. pinns does not wait for it: when pinns exits it is reparented (to init, or to the
/// nearest subreaper), so the daemon is never its parent.
/// </para>
/// <para>
/// Ready means: posix_spawn returned (it returns once the child has called execve) and the
/// process has a SIGTERM handler (/proc/PID/status SigCgt), so that the daemon's SIGTERM is not
/// dropped: the kernel discards a signal for the init of a PID namespace that would take the
/// default action. The Kubernetes pause binary installs its handler first thing; crio-pause
/// installs one once SIGTERM is blocked in all its threads (it reads it from a signalfd), so
/// either works as PATH. A blocked mask alone is not taken as ready: a starting runtime blocks
/// every signal for a moment around each thread it creates. (A JIT build of crio-pause counts
/// as ready early, on the runtime's own SIGTERM handler; the NativeAOT build installs none.)
/// </para>
/// </remarks>
internal static class PauseLauncher
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Starts <paramref name="path"/> (with --root <paramref name="root"/> when given); its pid (in pinns' PID namespace). Its undo kills it.</summary>
    public static int Start(string path, string? root, UndoStack undo)
    {
        NamespaceCalls.CloseOnExecFrom(3);
        using var ownPidNamespace = NamespaceCalls.OpenOwnPidNamespace();
        NamespaceCalls.Unshare(CLONE_NEWPID);
        int pid;
        try
        {
            pid = NamespaceCalls.Spawn(path, root is null ? [] : ["--root", root]);
        }
        catch
        {
            NamespaceCalls.ResetPidNamespaceForChildren(ownPidNamespace);
            throw;
        }

        undo.Push($"kill pause {pid}", () => NamespaceCalls.KillAndReap(pid));
        NamespaceCalls.ResetPidNamespaceForChildren(ownPidNamespace);
        WaitUntilReady(pid, path);
        return pid;
    }

    private static void WaitUntilReady(int pid, string path)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (NamespaceCalls.TryReap(pid) is { } status)
            {
                throw new IOException($"pause {path} (pid {pid}) ended before it was ready: {NamespaceCalls.DescribeWaitStatus(status)}");
            }

            if (CatchesTerm(pid))
            {
                return;
            }

            if (clock.Elapsed > ReadyTimeout)
            {
                throw new IOException($"pause {path} (pid {pid}) installed no SIGTERM handler within {ReadyTimeout.TotalSeconds} s");
            }

            // A pause is ready within milliseconds: look every millisecond at first, then less often.
            Thread.Sleep(clock.Elapsed < TimeSpan.FromMilliseconds(100) ? 1 : 10);
        }
    }

    /// <summary>Whether the process has a SIGTERM handler: SigCgt in /proc/PID/status (process-wide).</summary>
    private static bool CatchesTerm(int pid)
    {
        string status;
        try
        {
            status = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        }
        catch (IOException)
        {
            return false;
        }

        var term = 1UL << (SIGTERM - 1);
        var line = status.Split('\n').FirstOrDefault(l => l.StartsWith("SigCgt:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line.AsSpan("SigCgt:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caught)
            && (caught & term) != 0;
    }
}
