using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Server.Interop;

/// <summary>
/// stat(2) or lstat(2) of one path, the fields the daemon reads: file type (.NET has no socket or
/// device types), device and inode for disk-usage walks, the device numbers of a device node:
/// https://man7.org/linux/man-pages/man2/stat.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal readonly record struct FileStatus(ulong Device, ulong Inode, ulong Links, uint Mode, ulong SpecialDevice, uint Uid, uint Gid, long Blocks)
{
    private uint Type => Mode & (uint)S_IFMT;

    public bool IsDirectory => Type == (uint)S_IFDIR;

    public bool IsSocket => Type == (uint)S_IFSOCK;

    public bool IsRegularFile => Type == (uint)S_IFREG;

    /// <summary><c>c</c>, <c>b</c> or <c>p</c> for a character device, block device or FIFO (the OCI device types); else empty.</summary>
    public string DeviceKind =>
        Type == (uint)S_IFCHR ? "c" : Type == (uint)S_IFBLK ? "b" : Type == (uint)S_IFIFO ? "p" : "";

    public uint Permissions => Mode & 0x1ff;

    // glibc's gnu_dev_major/gnu_dev_minor: the 64-bit dev_t splits each number in two.
    public long Major => (long)(((SpecialDevice >> 8) & 0xfff) | ((SpecialDevice >> 32) & ~0xfffUL));

    public long Minor => (long)((SpecialDevice & 0xff) | ((SpecialDevice >> 12) & ~0xffUL));

    /// <summary>
    /// The status, or null when nothing is there (a container removed during a walk). A final
    /// symlink is followed only when <paramref name="followSymlink"/> says so.
    /// </summary>
    public static unsafe FileStatus? Of(string path, bool followSymlink = false)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        Tmds.Linux.stat status;
        fixed (byte* p = bytes)
        {
            if ((followSymlink ? stat(p, &status) : lstat(p, &status)) != 0)
            {
                var error = errno;
                return error == ENOENT || error == ENOTDIR
                    ? null
                    : throw new IOException($"stat {path}: {Marshal.GetPInvokeErrorMessage(error)}", error);
            }
        }

        return new FileStatus((ulong)status.st_dev, (ulong)status.st_ino, (ulong)status.st_nlink, (uint)status.st_mode,
            (ulong)status.st_rdev, (uint)status.st_uid, (uint)status.st_gid, (long)status.st_blocks);
    }
}
