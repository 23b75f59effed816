using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Conmon.Client.Interop;

/// <summary>
/// waitpid(2) without blocking (https://man7.org/linux/man-pages/man2/waitpid.2.html) for the
/// monitor's first process, and kill(2) for cleanup.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class ProcessCalls
{
    private const int NoHang = 1; // WNOHANG

    /// <summary>The outcome of one non-blocking wait for a child.</summary>
    internal enum WaitOutcome
    {
        /// <summary>The child is still running.</summary>
        Running,

        /// <summary>The child exited; the status is in the out parameter.</summary>
        Exited,

        /// <summary>The child was reaped elsewhere (ECHILD): it is gone, its status unknown.</summary>
        Gone,
    }

    /// <summary>Reaps <paramref name="pid"/> if it ended; <paramref name="exitStatus"/> is its exit code, or 128+signal.</summary>
    public static WaitOutcome TryReap(int pid, out int exitStatus)
    {
        exitStatus = -1;
        int status;
        while (true)
        {
            var result = waitpid(pid, &status, NoHang);
            if (result == 0)
            {
                return WaitOutcome.Running;
            }

            if (result == pid)
            {
                var signal = status & 0x7f;
                exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal;
                return WaitOutcome.Exited;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error == EINTR)
            {
                continue;
            }

            if (error == ECHILD)
            {
                return WaitOutcome.Gone;
            }

            throw NativeErrors.Error(error, "waitpid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Sends SIGKILL to <paramref name="pid"/>; false when it no longer exists.</summary>
    public static bool Kill(int pid) => pid > 0 && kill(pid, SIGKILL) == 0;

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);
}
