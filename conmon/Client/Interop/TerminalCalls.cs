using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using CriO.Storage.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Conmon.Client.Interop;

/// <summary>
/// A pseudo-terminal pair: posix_openpt(3), grantpt(3), unlockpt(3), ptsname_r(3); the slave is
/// opened by path so that a new session's first open makes it its controlling terminal.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class TerminalCalls
{
    /// <summary>A new master, and the path of its slave.</summary>
    public static (SafeFd Master, string SlavePath) OpenPair()
    {
        var master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
        {
            throw NativeErrors.Error(Marshal.GetLastPInvokeError(), "posix_openpt", "/dev/ptmx");
        }

        var fd = new SafeFd(master);
        var name = stackalloc byte[128];
        if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, 128) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            fd.Dispose();
            throw NativeErrors.Error(error, "grantpt/unlockpt/ptsname_r", "/dev/ptmx");
        }

        return (fd, Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name)));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ptsname_r(int fd, byte* buffer, nuint length);

    /// <summary>Sends <c>SIGWINCH</c>: the process reads its terminal's new size.</summary>
    public static void NotifyResize(int pid) => _ = kill(pid, SIGWINCH);
}
