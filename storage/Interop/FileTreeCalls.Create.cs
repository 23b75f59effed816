using System.Runtime.Versioning;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// mkdirat(2), mknodat(2), symlinkat(2) and linkat(2):
/// https://man7.org/linux/man-pages/man2/mkdirat.2.html, https://man7.org/linux/man-pages/man2/mknodat.2.html,
/// https://man7.org/linux/man-pages/man2/symlinkat.2.html, https://man7.org/linux/man-pages/man2/linkat.2.html.
/// Modes given here are cut by the umask; callers that need exact bits chmod afterwards.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileTreeCalls
{
    public static int TryMkdirAt(SafeFd directory, ReadOnlySpan<byte> name, uint mode)
    {
        using var d = new SafeFdBorrow(directory);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* p = n)
        {
            int error;
            do
            {
                error = ErrnoOf(mkdirat(d.Fd, p, (mode_t)(ushort)mode));
            }
            while (Interrupted(error));

            return error;
        }
    }

    /// <summary>mknodat(2) with <paramref name="mode"/> holding the file type (S_IFCHR, S_IFBLK, S_IFIFO) and permissions.</summary>
    public static int TryMknodAt(SafeFd directory, ReadOnlySpan<byte> name, uint mode, uint major, uint minor)
    {
        using var d = new SafeFdBorrow(directory);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* p = n)
        {
            int error;
            do
            {
                error = ErrnoOf(mknodat(d.Fd, p, (mode_t)(ushort)mode, (dev_t)MakeDevice(major, minor)));
            }
            while (Interrupted(error));

            return error;
        }
    }

    /// <summary>glibc's makedev(3) encoding (12-bit major and 20-bit minor split over 64 bits).</summary>
    public static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0x00000fff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0x000000ff);

    public static uint Major(ulong device) => (uint)(((device >> 32) & 0xfffff000) | ((device >> 8) & 0x00000fff));

    public static uint Minor(ulong device) => (uint)(((device >> 12) & 0xffffff00) | (device & 0x000000ff));

    /// <summary>symlinkat(2): <paramref name="name"/> in <paramref name="directory"/> pointing at <paramref name="target"/>, which is never resolved here.</summary>
    public static int TrySymlinkAt(ReadOnlySpan<byte> target, SafeFd directory, ReadOnlySpan<byte> name)
    {
        using var d = new SafeFdBorrow(directory);
        using var t = new NativePath(target, stackalloc byte[StackPathBytes]);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* pt = t, pn = n)
        {
            int error;
            do
            {
                error = ErrnoOf(symlinkat(pt, d.Fd, pn));
            }
            while (Interrupted(error));

            return error;
        }
    }

    /// <summary>linkat(2) without AT_SYMLINK_FOLLOW: a symlink as the old name is linked itself, never followed.</summary>
    public static int TryLinkAt(SafeFd oldDirectory, ReadOnlySpan<byte> oldName, SafeFd newDirectory, ReadOnlySpan<byte> newName)
    {
        using var od = new SafeFdBorrow(oldDirectory);
        using var nd = new SafeFdBorrow(newDirectory);
        using var o = new NativePath(oldName, stackalloc byte[StackPathBytes]);
        using var n = new NativePath(newName, stackalloc byte[StackPathBytes]);
        fixed (byte* po = o, pn = n)
        {
            int error;
            do
            {
                error = ErrnoOf(linkat(od.Fd, po, nd.Fd, pn, 0));
            }
            while (Interrupted(error));

            return error;
        }
    }
}
