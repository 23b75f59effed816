using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace CriO.Pinns.Interop;

/// <summary>
/// close_range(2) (glibc 2.34, Linux 5.11; not in Tmds.LibC):
/// https://man7.org/linux/man-pages/man2/close_range.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceCalls
{
    /// <summary>CLOSE_RANGE_CLOEXEC from linux/close_range.h.</summary>
    private const uint CloseRangeCloseOnExec = 1u << 2;

    /// <summary>
    /// Marks every descriptor from <paramref name="first"/> up close-on-exec, so that whatever
    /// pinns inherited from the daemon (sockets, pipes, lock files) is not passed on to the pause.
    /// </summary>
    public static void CloseOnExecFrom(int first) =>
        Run(() => close_range((uint)first, uint.MaxValue, CloseRangeCloseOnExec), "close_range", $"{first}..");

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close_range(uint first, uint last, uint flags);
}
