using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>open(2) (declared in fcntl.h): https://man7.org/linux/man-pages/man2/open.2.html.</summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileLockCalls
{
    /// <summary>
    /// Opens (and with <paramref name="create"/>, creates with <paramref name="mode"/>, less the umask)
    /// a lock file, read-write or read-only, close-on-exec. Opening through open(2) rather than
    /// FileStream keeps .NET from adding its own flock(2) on the file.
    /// </summary>
    public static SafeFd OpenLockFile(string path, bool readOnly, bool create, int mode)
    {
        var flags = (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC | (create ? O_CREAT : 0);
        return Open(path, flags, mode);
    }

    /// <summary>Opens a directory read-only, so that it can be fsynced after a rename inside it.</summary>
    public static SafeFd OpenDirectory(string path) => Open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

    private static SafeFd Open(string path, int flags, int mode)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            while (true)
            {
                var fd = open(p, flags, (Tmds.Linux.mode_t)mode);
                if (fd >= 0)
                {
                    return new SafeFd(fd);
                }

                var error = errno;
                if (error != EINTR)
                {
                    throw Error(error, "open", path);
                }
            }
        }
    }
}
