using CriO.Pause.Interop;

namespace CriO.Pause;

/// <summary>
/// Blocks SIGTERM, SIGINT and SIGCHLD in every thread of the process, which the pause needs
/// before it may count as ready: a process-directed signal goes to any thread that does not
/// block it, and there, at the default action, the kernel drops it (the process is the init of
/// a PID namespace) or it kills the process; a SIGCHLD would be lost. A signal mask belongs to a
/// thread, and the runtime starts threads of its own (the finalizer's) before Main.
/// </summary>
/// <remarks>
/// So the pause blocks the signals in its main thread and execs itself once
/// (<see cref="PauseCalls.ReExecSelf"/>): a signal mask survives execve, and the new runtime's
/// threads inherit it from birth (the runtime blocks everything while it creates a thread, then
/// restores the creator's mask in it). When the mask is in place at start (the second image, or
/// a starter that blocked the signals), nothing is needed. This costs one more exec at start-up
/// (about a millisecond); running a finalizer to reach the finalizer thread instead would cost
/// a garbage collection and about 250 KB more resident memory for the pod's lifetime.
/// </remarks>
internal static class SignalMask
{
    /// <summary>Set in the environment of the second image, so that it never execs again.</summary>
    private const string ReExecVariable = "CRIO_PAUSE_REEXEC";

    public static void BlockInEveryThread()
    {
        if (PauseCalls.WaitedSignalsBlocked())
        {
            return;
        }

        PauseCalls.BlockWaitedSignals();
        if (Environment.GetEnvironmentVariable(ReExecVariable) is null)
        {
            var failure = PauseCalls.ReExecSelf(ReExecVariable + "=1");
            throw new IOException($"{failure.Message}: cannot block SIGTERM in every thread");
        }
    }
}
