using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Pinns.Interop;

/// <summary>
/// waitpid(2) (not in Tmds.LibC), https://man7.org/linux/man-pages/man2/waitpid.2.html, and
/// kill(2), https://man7.org/linux/man-pages/man2/kill.2.html, for the pause pinns started.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceCalls
{
    /// <summary>WNOHANG from sys/wait.h.</summary>
    private const int NoHang = 1;

    /// <summary>
    /// The wait status of the child <paramref name="pid"/> when it has ended (and is now reaped),
    /// else null; never blocks.
    /// </summary>
    public static int? TryReap(int pid)
    {
        var status = new int[1];
        var result = Run(
            () =>
            {
                fixed (int* s = status)
                {
                    return waitpid(pid, s, NoHang);
                }
            },
            "waitpid",
            pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return result == pid ? status[0] : null;
    }

    /// <summary>Kills the child <paramref name="pid"/> (SIGKILL) and reaps it; a child already gone is fine.</summary>
    public static void KillAndReap(int pid)
    {
        var error = Try(() => kill(pid, SIGKILL));
        if (error != 0 && error != ESRCH)
        {
            throw Error(error, "kill", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        error = Try(() => waitpid(pid, null, 0));
        if (error != 0 && error != ECHILD)
        {
            throw Error(error, "waitpid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A readable form of a wait(2) status: "exit code N" or "signal N".</summary>
    public static string DescribeWaitStatus(int status) =>
        (status & 0x7f) == 0 ? $"exit code {(status >> 8) & 0xff}" : $"signal {status & 0x7f}";

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);
}
