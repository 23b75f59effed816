using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Pause.Interop;

/// <summary>waitpid(2) (not in Tmds.LibC): https://man7.org/linux/man-pages/man2/waitpid.2.html.</summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class PauseCalls
{
    /// <summary>WNOHANG from sys/wait.h.</summary>
    private const int NoHang = 1;

    /// <summary>
    /// Reaps every child that has ended (the pause's own never exist; these are orphans the
    /// kernel reparented to it as the PID namespace's init), without blocking.
    /// </summary>
    public static void ReapChildren()
    {
        while (true)
        {
            var pid = waitpid(-1, null, NoHang);
            if (pid > 0 || Interrupted(pid))
            {
                continue;
            }

            if (pid < 0 && Marshal.GetLastPInvokeError() != ECHILD)
            {
                throw Error(Marshal.GetLastPInvokeError(), "waitpid");
            }

            return; // 0: children left, none ended; ECHILD: no children at all
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);
}
