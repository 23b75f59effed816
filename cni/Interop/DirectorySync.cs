using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Cni.Interop;

/// <summary>
/// fsync(2) of a directory (https://man7.org/linux/man-pages/man2/fsync.2.html), so a rename
/// inside it survives a crash; .NET cannot open a directory as a file.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class DirectorySync
{
    /// <exception cref="IOException">open or fsync failed.</exception>
    public static void Sync(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = bytes)
        {
            do
            {
                fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            }
            while (fd < 0 && errno == EINTR);
        }

        if (fd < 0)
        {
            throw Error(errno, "open", path);
        }

        try
        {
            while (fsync(fd) != 0)
            {
                var error = errno;
                if (error == EINVAL || error == EROFS)
                {
                    return; // the file system cannot sync directories: nothing more to do
                }

                if (error != EINTR)
                {
                    throw Error(error, "fsync", path);
                }
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    private static IOException Error(int error, string call, string path) =>
        new($"{call} {path}: {Marshal.GetPInvokeErrorMessage(error)}", error);
}
