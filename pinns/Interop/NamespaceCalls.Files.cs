using System.Runtime.Versioning;
using CriO.Storage.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Pinns.Interop;

/// <summary>
/// open(2), write(2), mkdir(2), chmod(2) and unlink(2) for pin files, their folders and
/// sysctl files: https://man7.org/linux/man-pages/man2/open.2.html and the pages next to it.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceCalls
{
    /// <summary>Opens <paramref name="path"/> read-only, close-on-exec.</summary>
    public static SafeFd OpenReadOnly(string path) => Open(path, O_RDONLY | O_CLOEXEC, 0, "open");

    /// <summary>
    /// Creates the empty file a namespace is bind-mounted onto. O_EXCL: a file (or a symbolic
    /// link) already there is an error (EEXIST), never reused.
    /// </summary>
    public static void CreateExclusive(string path)
    {
        using var fd = Open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0, "create");
    }

    /// <summary>
    /// Creates the folder <paramref name="path"/> with <paramref name="mode"/> (not reduced by the
    /// umask); false when it is already there.
    /// </summary>
    public static bool MakeDirectory(string path, int mode)
    {
        var p = Native(path);
        var error = Try(() =>
        {
            fixed (byte* pp = p)
            {
                return mkdir(pp, (mode_t)(ushort)mode);
            }
        });
        if (error == EEXIST)
        {
            return false;
        }

        if (error != 0)
        {
            throw Error(error, "mkdir", path);
        }

        Run(
            () =>
            {
                fixed (byte* pp = p)
                {
                    return chmod(pp, (mode_t)(ushort)mode);
                }
            },
            "chmod",
            path);
        return true;
    }

    /// <summary>Removes the file <paramref name="path"/>; 0 or the errno value (ENOENT when it is not there).</summary>
    public static int TryUnlink(string path)
    {
        var p = Native(path);
        return Try(() =>
        {
            fixed (byte* pp = p)
            {
                return unlink(pp);
            }
        });
    }

    /// <summary>
    /// Writes <paramref name="value"/> to an existing file, as sysctl(8) does to /proc/sys: one
    /// open, then write(2) until every byte is taken (the kernel answers a bad value with EINVAL).
    /// </summary>
    public static void WriteExisting(string path, string value)
    {
        using var fd = Open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0, "open");
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        var written = 0;
        while (written < bytes.Length)
        {
            var offset = written;
            written += (int)Run(
                () =>
                {
                    fixed (byte* b = bytes)
                    {
                        return write(fd.Number, b + offset, bytes.Length - offset);
                    }
                },
                "write",
                path);
        }
    }

    private static SafeFd Open(string path, int flags, int mode, string call)
    {
        var p = Native(path);
        var fd = Run(
            () =>
            {
                fixed (byte* pp = p)
                {
                    return open(pp, flags, (mode_t)(ushort)mode);
                }
            },
            call,
            path);
        return new SafeFd((int)fd);
    }
}
