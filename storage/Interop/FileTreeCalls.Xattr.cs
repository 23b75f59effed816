using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace CriO.Storage.Interop;

/// <summary>
/// fsetxattr(2), lsetxattr(2) and lgetxattr(2): https://man7.org/linux/man-pages/man2/setxattr.2.html,
/// https://man7.org/linux/man-pages/man2/getxattr.2.html. Tmds.LibC has none of them.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileTreeCalls
{
    /// <summary>fsetxattr(2) on an open (not O_PATH) descriptor of a file or directory.</summary>
    public static int TrySetXattr(SafeFd descriptor, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        using var d = new SafeFdBorrow(descriptor);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* pn = n, pv = value)
        {
            int error;
            do
            {
                error = ErrnoOf(FSetXattr(d.Fd, pn, pv, (nuint)value.Length, 0));
            }
            while (Interrupted(error));

            return error;
        }
    }

    /// <summary>
    /// lsetxattr(2) of <paramref name="name"/> inside <paramref name="directory"/>, for what cannot
    /// be opened to use fsetxattr (symlinks, devices, FIFOs). The path goes through the
    /// directory's /proc/self/fd magic link, which leads to that directory and nowhere else;
    /// the last component is not followed.
    /// </summary>
    public static int TrySetXattrAt(SafeFd directory, ReadOnlySpan<byte> entry, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        using var d = new SafeFdBorrow(directory);
        using var path = new NativePath(ProcFdPath(d.Fd, entry), stackalloc byte[StackPathBytes]);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* pp = path, pn = n, pv = value)
        {
            int error;
            do
            {
                error = ErrnoOf(LSetXattr(pp, pn, pv, (nuint)value.Length, 0));
            }
            while (Interrupted(error));

            return error;
        }
    }

    /// <summary>
    /// lgetxattr(2) of <paramref name="entry"/> inside <paramref name="directory"/> (empty: the
    /// directory itself); null when the attribute is not set.
    /// </summary>
    public static byte[]? GetXattrAt(SafeFd directory, ReadOnlySpan<byte> entry, ReadOnlySpan<byte> name, string displayPath)
    {
        using var d = new SafeFdBorrow(directory);
        using var path = new NativePath(ProcFdPath(d.Fd, entry), stackalloc byte[StackPathBytes]);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        var buffer = new byte[64 * 1024];
        fixed (byte* pp = path, pn = n, pb = buffer)
        {
            nint length;
            int error;
            do
            {
                length = LGetXattr(pp, pn, pb, (nuint)buffer.Length);
                error = ErrnoOf(length);
            }
            while (Interrupted(error));

            if (error == Tmds.Linux.LibC.ENODATA)
            {
                return null;
            }

            return error == 0 ? buffer.AsSpan(0, (int)length).ToArray() : throw Error(error, "lgetxattr", displayPath);
        }
    }

    private static byte[] ProcFdPath(int fd, ReadOnlySpan<byte> entry)
    {
        var prefix = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{fd}"));
        if (entry.IsEmpty)
        {
            return prefix;
        }

        var path = new byte[prefix.Length + 1 + entry.Length];
        prefix.CopyTo(path, 0);
        path[prefix.Length] = (byte)'/';
        entry.CopyTo(path.AsSpan(prefix.Length + 1));
        return path;
    }

    [LibraryImport("libc.so.6", EntryPoint = "fsetxattr", SetLastError = true)]
    private static partial int FSetXattr(int fd, byte* name, byte* value, nuint size, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "lsetxattr", SetLastError = true)]
    private static partial int LSetXattr(byte* path, byte* name, byte* value, nuint size, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "lgetxattr", SetLastError = true)]
    private static partial nint LGetXattr(byte* path, byte* name, byte* value, nuint size);
}
