using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Server.Interop;

/// <summary>kill(2): https://man7.org/linux/man-pages/man2/kill.2.html.</summary>
[SupportedOSPlatform("linux")]
internal static class ProcessSignals
{
    public const int Kill = 9;
    public const int Terminate = 15;

    /// <summary>Sends a signal; false when the process is gone (ESRCH).</summary>
    public static bool Send(int pid, int signal)
    {
        if (kill(pid, signal) == 0)
        {
            return true;
        }

        var error = errno;
        return error == ESRCH ? false : throw new IOException($"kill {pid}: {Marshal.GetPInvokeErrorMessage(error)}", error);
    }
}
