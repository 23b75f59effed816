using System.Runtime.Versioning;
using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// open(2), openat(2) and openat2(2): https://man7.org/linux/man-pages/man2/openat.2.html,
/// https://man7.org/linux/man-pages/man2/openat2.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileTreeCalls
{
    /// <summary>
    /// Resolution flags for every path inside a layer: symlinks (absolute ones and "..") are
    /// resolved as if the directory descriptor were "/", like a chroot, so no lookup can leave
    /// it; /proc-style magic links and other mounts are refused outright.
    /// </summary>
    public static readonly ulong InRoot = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

    /// <summary>Opens a directory (O_PATH) by its host path: the root of a layer's diff, trusted.</summary>
    public static SafeFd OpenDirectoryPath(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            int fd;
            int error;
            do
            {
                fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                error = ErrnoOf(fd);
            }
            while (Interrupted(error));

            return error == 0 ? new SafeFd(fd) : throw Error(error, "open", path);
        }
    }

    /// <summary>
    /// openat(2) of <paramref name="name"/> relative to <paramref name="directory"/>; returns 0 and
    /// the descriptor, or errno. Callers pass O_NOFOLLOW when the name must not be a symlink.
    /// </summary>
    public static int TryOpenAt(SafeFd directory, ReadOnlySpan<byte> name, int flags, uint mode, out SafeFd descriptor)
    {
        using var d = new SafeFdBorrow(directory);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* p = n)
        {
            int fd;
            int error;
            do
            {
                fd = openat(d.Fd, p, flags | O_CLOEXEC, (mode_t)(ushort)mode);
                error = ErrnoOf(fd);
            }
            while (Interrupted(error));

            descriptor = error == 0 ? new SafeFd(fd) : new SafeFd();
            return error;
        }
    }

    /// <summary>
    /// openat2(2) of <paramref name="path"/> (relative, any number of components) resolved with
    /// <see cref="InRoot"/> inside <paramref name="root"/>; returns 0 and the descriptor, or errno.
    /// EAGAIN (a concurrent rename made the kernel unsure ".." stayed inside) is retried a few
    /// times; ENOSYS means a kernel older than 5.6, which this store does not support.
    /// </summary>
    public static int TryOpenInRoot(SafeFd root, ReadOnlySpan<byte> path, int flags, out SafeFd descriptor)
    {
        using var d = new SafeFdBorrow(root);
        using var n = new NativePath(path.IsEmpty ? "."u8 : path, stackalloc byte[StackPathBytes]);
        var how = new open_how { flags = (ulong)(flags | O_CLOEXEC), mode = 0, resolve = InRoot };
        fixed (byte* p = n)
        {
            var attempts = 0;
            while (true)
            {
                var fd = openat2(d.Fd, p, &how, (size_t)sizeof(open_how));
                var error = ErrnoOf(fd);
                if (Interrupted(error) || (error == EAGAIN && ++attempts < 16))
                {
                    continue;
                }

                descriptor = error == 0 ? new SafeFd(fd) : new SafeFd();
                return error;
            }
        }
    }

    /// <summary>
    /// Opens what an O_PATH descriptor refers to, with <paramref name="flags"/>, through its
    /// /proc/self/fd magic link: the way to read a file only after fstat showed it is a
    /// regular file, so that a device node or FIFO in its place is never opened.
    /// </summary>
    public static int TryReopen(SafeFd pathDescriptor, int flags, out SafeFd descriptor)
    {
        using var d = new SafeFdBorrow(pathDescriptor);
        var path = Encoding.ASCII.GetBytes($"/proc/self/fd/{d.Fd.ToString(System.Globalization.CultureInfo.InvariantCulture)}\0");
        fixed (byte* p = path)
        {
            int fd;
            int error;
            do
            {
                fd = open(p, flags | O_CLOEXEC, 0);
                error = ErrnoOf(fd);
            }
            while (Interrupted(error));

            descriptor = error == 0 ? new SafeFd(fd) : new SafeFd();
            return error;
        }
    }
}
