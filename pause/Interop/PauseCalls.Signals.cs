using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Pause.Interop;

/// <summary>
/// sigprocmask(2), https://man7.org/linux/man-pages/man2/sigprocmask.2.html, signalfd(2) (not in
/// Tmds.LibC), https://man7.org/linux/man-pages/man2/signalfd.2.html, and sigaction(2),
/// https://man7.org/linux/man-pages/man2/sigaction.2.html.
/// </summary>
/// <remarks>
/// The pause takes its signals synchronously: SIGTERM, SIGINT and SIGCHLD stay blocked in every
/// thread, and the main thread reads them from a signalfd. No handler runs, so no managed code
/// ever runs in signal context. A blocked signal is not discarded even for the init of a PID
/// namespace (which drops signals whose action is the default), so the daemon's SIGTERM arrives.
/// A signalfd rather than sigwaitinfo, because sigwaitinfo unblocks the signals while it waits
/// (for a moment a thread would take them at their disposition).
/// </remarks>
[SupportedOSPlatform("linux")]
internal static unsafe partial class PauseCalls
{
    /// <summary>
    /// Signals that have no use for the pause and would otherwise stop or kill it by default:
    /// ignored (SIG_IGN). Left alone: SIGKILL and SIGSTOP (cannot be), the fault signals and the
    /// real-time ones (the runtime uses them), SIGABRT, SIGTRAP and SIGSYS.
    /// </summary>
    public static IReadOnlyList<int> IgnoredSignals { get; } =
    [
        SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGSTKFLT, SIGTSTP, SIGTTIN, SIGTTOU,
        SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR,
    ];

    /// <summary>Blocks SIGTERM, SIGINT and SIGCHLD in the calling thread.</summary>
    public static void BlockWaitedSignals()
    {
        var waited = WaitedSignals();
        Check(sigprocmask(SIG_BLOCK, &waited, null), "sigprocmask");
    }

    /// <summary>Whether SIGTERM, SIGINT and SIGCHLD are all blocked in the calling thread already.</summary>
    public static bool WaitedSignalsBlocked()
    {
        sigset_t current;
        Check(sigprocmask(SIG_BLOCK, null, &current), "sigprocmask");
        return sigismember(&current, SIGTERM) == 1 && sigismember(&current, SIGINT) == 1 && sigismember(&current, SIGCHLD) == 1;
    }

    /// <summary>
    /// Gives SIGTERM and SIGINT a handler that never runs: both stay blocked in every thread and
    /// are read from the signalfd. The handler is there for two reasons. It is the readiness mark
    /// crio-pinns waits for (/proc/PID/status SigCgt), set only once every thread blocks them,
    /// whereas a blocked mask can be seen in passing while the runtime starts a thread (it blocks
    /// everything around pthread_create). And a signal with a handler is never discarded the way
    /// one at the default action is for the init of a PID namespace.
    /// </summary>
    public static void CatchTermination()
    {
        sigaction action = default;
        action.sa_handler = (delegate* unmanaged<int, void>)&NeverRuns;
        sigfillset(&action.sa_mask);
        Check(sigaction(SIGTERM, &action, null), "sigaction SIGTERM");
        Check(sigaction(SIGINT, &action, null), "sigaction SIGINT");
    }

    /// <summary>Sets each signal in <see cref="IgnoredSignals"/> to SIG_IGN.</summary>
    public static void IgnoreSignals()
    {
        sigaction ignore = default;
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        foreach (var signal in IgnoredSignals)
        {
            Check(sigaction(signal, &ignore, null), "sigaction");
        }
    }

    /// <summary>SFD_CLOEXEC (O_CLOEXEC) from sys/signalfd.h.</summary>
    private const int SignalFdCloseOnExec = 0x80000;

    /// <summary>sizeof(struct signalfd_siginfo); ssi_signo is its first field (uint32).</summary>
    private const int SignalFdInfoSize = 128;

    /// <summary>A descriptor that reads SIGTERM, SIGINT and SIGCHLD (which must be blocked) as they arrive.</summary>
    public static int OpenSignalFd()
    {
        var waited = WaitedSignals();
        return (int)Check(signalfd(-1, &waited, SignalFdCloseOnExec), "signalfd");
    }

    /// <summary>
    /// Sleeps in read(2) on <paramref name="signalFd"/> (no timeout, no polling) until SIGTERM,
    /// SIGINT or SIGCHLD is pending; takes it and returns its number.
    /// </summary>
    public static int WaitForSignal(int signalFd)
    {
        var info = stackalloc byte[SignalFdInfoSize];
        long count;
        while (Interrupted(count = read(signalFd, info, SignalFdInfoSize)))
        {
        }

        Check(count, "read signalfd");
        return *(int*)info;
    }

    /// <summary>The SIGTERM and SIGINT handler; unreachable while they are blocked in every thread.</summary>
    [UnmanagedCallersOnly]
    private static void NeverRuns(int signal)
    {
    }

    private static sigset_t WaitedSignals()
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGCHLD);
        return set;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int signalfd(int fd, sigset_t* mask, int flags);
}
