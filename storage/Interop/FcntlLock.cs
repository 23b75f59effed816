using System.Runtime.Versioning;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// fcntl(2) open file description record locks (F_OFD_SETLK, F_OFD_SETLKW) over a whole file:
/// https://man7.org/linux/man-pages/man2/fcntl.2.html, "Open file description locks".
/// </summary>
/// <remarks>
/// The kernel keeps these in the same list as the classic process-associated record locks
/// (F_SETLK) that containers/storage takes, and the two kinds conflict with each other, so a
/// podman holding layers.lock blocks us and we block it. Unlike the classic kind, an OFD lock
/// belongs to the open file description: two descriptors opened separately in one process
/// exclude each other, and closing some other descriptor of the same file does not drop it.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileLockCalls
{
    /// <summary>
    /// Takes a shared (<paramref name="exclusive"/> false) or exclusive lock on the whole file,
    /// waiting for it when <paramref name="wait"/>; without waiting, false means someone else holds
    /// a conflicting lock. EINTR is retried.
    /// </summary>
    public static bool Lock(SafeFd descriptor, bool exclusive, bool wait, string path)
    {
        var request = new flock
        {
            l_type = (short)(exclusive ? F_WRLCK : F_RDLCK),
            l_whence = (short)SEEK_SET,
            l_start = 0,
            l_len = 0, // to the end of the file, however long it grows
            l_pid = 0, // must be 0 for OFD locks
        };
        using var d = new SafeFdBorrow(descriptor);
        while (true)
        {
            if (fcntl(d.Fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &request) == 0)
            {
                return true;
            }

            var error = errno;
            if (error == EINTR)
            {
                continue;
            }

            if (!wait && (error == EAGAIN || error == EACCES))
            {
                return false;
            }

            throw Error(error, "fcntl(F_OFD_SETLK)", path);
        }
    }
}
