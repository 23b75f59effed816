using System.Runtime.Versioning;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// fstatat(2), fchownat(2), fchmodat(2) and utimensat(2), by name in a directory or on an open
/// descriptor: https://man7.org/linux/man-pages/man2/fstatat.2.html,
/// https://man7.org/linux/man-pages/man2/fchownat.2.html, https://man7.org/linux/man-pages/man2/fchmodat.2.html,
/// https://man7.org/linux/man-pages/man2/utimensat.2.html. The by-name forms never follow a
/// symlink in the last component, except fchmodat, which the kernel cannot do that for: callers
/// only chmod names they have just created as non-symlinks.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileTreeCalls
{
    /// <summary>lstat-like fstatat(2) of <paramref name="name"/>; an empty name stats the descriptor itself.</summary>
    public static int TryStatAt(SafeFd directory, ReadOnlySpan<byte> name, out FileStatus status)
    {
        using var d = new SafeFdBorrow(directory);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        stat st;
        fixed (byte* p = n)
        {
            int error;
            do
            {
                error = ErrnoOf(fstatat(d.Fd, p, &st, AT_SYMLINK_NOFOLLOW | (name.IsEmpty ? AT_EMPTY_PATH : 0)));
            }
            while (Interrupted(error));

            status = error == 0 ? ToStatus(st) : default;
            return error;
        }
    }

    public static FileStatus Stat(SafeFd descriptor, string displayPath)
    {
        var error = TryStatAt(descriptor, default, out var status);
        return error == 0 ? status : throw Error(error, "fstat", displayPath);
    }

    private static FileStatus ToStatus(in stat st) => new(
        (uint)(ushort)st.st_mode,
        (uint)st.st_uid,
        (uint)st.st_gid,
        (long)st.st_size,
        (ulong)st.st_ino,
        (ulong)st.st_dev,
        (ulong)st.st_rdev,
        (ulong)st.st_nlink);

    /// <summary>lchown-like fchownat(2) with AT_SYMLINK_NOFOLLOW; an empty name changes the descriptor itself.</summary>
    public static int TryChownAt(SafeFd directory, ReadOnlySpan<byte> name, uint uid, uint gid)
    {
        using var d = new SafeFdBorrow(directory);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* p = n)
        {
            int error;
            do
            {
                error = ErrnoOf(fchownat(d.Fd, p, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW | (name.IsEmpty ? AT_EMPTY_PATH : 0)));
            }
            while (Interrupted(error));

            return error;
        }
    }

    /// <summary>fchmodat(2) of a name known not to be a symlink (the kernel follows one here).</summary>
    public static int TryChmodAt(SafeFd directory, ReadOnlySpan<byte> name, uint mode)
    {
        using var d = new SafeFdBorrow(directory);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* p = n)
        {
            int error;
            do
            {
                error = ErrnoOf(fchmodat(d.Fd, p, (mode_t)(ushort)mode, 0));
            }
            while (Interrupted(error));

            return error;
        }
    }

    /// <summary>fchmod(2) of an open (not O_PATH) descriptor.</summary>
    public static int TryChmod(SafeFd descriptor, uint mode)
    {
        using var d = new SafeFdBorrow(descriptor);
        int error;
        do
        {
            error = ErrnoOf(fchmod(d.Fd, (mode_t)(ushort)mode));
        }
        while (Interrupted(error));

        return error;
    }

    /// <summary>
    /// utimensat(2) with AT_SYMLINK_NOFOLLOW (a symlink's own times); an empty name sets the
    /// times of the open (not O_PATH) descriptor itself, as futimens(3) does.
    /// </summary>
    public static int TrySetTimesAt(SafeFd directory, ReadOnlySpan<byte> name, long accessSeconds, long accessNanoseconds, long modifySeconds, long modifyNanoseconds)
    {
        using var d = new SafeFdBorrow(directory);
        var times = stackalloc timespec[2];
        times[0].tv_sec = (time_t)accessSeconds;
        times[0].tv_nsec = (long_t)accessNanoseconds;
        times[1].tv_sec = (time_t)modifySeconds;
        times[1].tv_nsec = (long_t)modifyNanoseconds;
        int error;
        if (name.IsEmpty)
        {
            do
            {
                error = ErrnoOf(futimens(d.Fd, times));
            }
            while (Interrupted(error));

            return error;
        }

        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* p = n)
        {
            do
            {
                error = ErrnoOf(utimensat(d.Fd, p, times, AT_SYMLINK_NOFOLLOW));
            }
            while (Interrupted(error));

            return error;
        }
    }
}
