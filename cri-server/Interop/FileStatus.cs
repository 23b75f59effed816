using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Server.Interop;

/// <summary>
/// lstat(2) of one path, the fields a disk-usage walk needs:
/// https://man7.org/linux/man-pages/man2/lstat.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal readonly record struct FileStatus(ulong Device, ulong Inode, ulong Links, bool IsDirectory, long Blocks)
{
    /// <summary>The status, or null when the path vanished meanwhile (a container removed during the walk).</summary>
    public static unsafe FileStatus? Of(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        Tmds.Linux.stat status;
        fixed (byte* p = bytes)
        {
            if (lstat(p, &status) != 0)
            {
                var error = errno;
                return error == ENOENT || error == ENOTDIR
                    ? null
                    : throw new IOException($"lstat {path}: {Marshal.GetPInvokeErrorMessage(error)}", error);
            }
        }

        return new FileStatus((ulong)status.st_dev, (ulong)status.st_ino, (ulong)status.st_nlink,
            ((uint)status.st_mode & (uint)S_IFMT) == (uint)S_IFDIR, (long)status.st_blocks);
    }
}
