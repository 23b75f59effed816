using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// pread(2), pwrite(2) and fsync(2) on lock files and directories:
/// https://man7.org/linux/man-pages/man2/pread.2.html, https://man7.org/linux/man-pages/man2/fsync.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileLockCalls
{
    /// <summary>Reads from <paramref name="offset"/> until <paramref name="buffer"/> is full or the file ends; returns the count read.</summary>
    public static int ReadAt(SafeFd descriptor, Span<byte> buffer, long offset, string path)
    {
        using var d = new SafeFdBorrow(descriptor);
        var total = 0;
        fixed (byte* p = buffer)
        {
            while (total < buffer.Length)
            {
                var n = (long)pread(d.Fd, p + total, buffer.Length - total, offset + total);
                if (n == 0)
                {
                    break;
                }

                if (n < 0)
                {
                    var error = errno;
                    if (error == EINTR)
                    {
                        continue;
                    }

                    throw Error(error, "pread", path);
                }

                total += (int)n;
            }
        }

        return total;
    }

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>.</summary>
    public static void WriteAt(SafeFd descriptor, ReadOnlySpan<byte> data, long offset, string path)
    {
        using var d = new SafeFdBorrow(descriptor);
        var total = 0;
        fixed (byte* p = data)
        {
            while (total < data.Length)
            {
                var n = (long)pwrite(d.Fd, p + total, data.Length - total, offset + total);
                if (n <= 0)
                {
                    var error = n < 0 ? errno : ENOSPC;
                    if (error == EINTR)
                    {
                        continue;
                    }

                    throw Error(error, "pwrite", path);
                }

                total += (int)n;
            }
        }
    }

    /// <summary>fsync(2) of a directory, so that a rename inside it survives a crash.</summary>
    public static void SyncDirectory(string path)
    {
        using var descriptor = OpenDirectory(path);
        using var d = new SafeFdBorrow(descriptor);
        while (fsync(d.Fd) != 0)
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
}
