using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Pinns.Interop;

/// <summary>
/// mount(2), https://man7.org/linux/man-pages/man2/mount.2.html, and umount2(2),
/// https://man7.org/linux/man-pages/man2/umount.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceCalls
{
    /// <summary>Bind-mounts <paramref name="source"/> (a file or folder) onto <paramref name="target"/>.</summary>
    public static void BindMount(string source, string target, bool recursive = false)
    {
        var s = Native(source);
        var t = Native(target);
        var flags = recursive ? MS_BIND | MS_REC : MS_BIND;
        Run(
            () =>
            {
                fixed (byte* sp = s, tp = t, none = "none\0"u8)
                {
                    return mount(sp, tp, none, flags, null);
                }
            },
            "mount --bind",
            $"{source} {target}");
    }

    /// <summary>
    /// Makes the mount at <paramref name="mountPoint"/>, and every mount below it, shared
    /// (MS_SHARED|MS_REC); 0 or the errno value: EINVAL when <paramref name="mountPoint"/> is not
    /// a mount point.
    /// </summary>
    public static int TryMakeShared(string mountPoint)
    {
        var m = Native(mountPoint);
        return Try(() =>
        {
            fixed (byte* mp = m, none = "none\0"u8, empty = "\0"u8)
            {
                return mount(empty, mp, none, MS_SHARED | MS_REC, null);
            }
        });
    }

    /// <summary>
    /// Detaches the topmost mount at <paramref name="target"/> (MNT_DETACH), never following a
    /// symbolic link there (UMOUNT_NOFOLLOW); 0 or the errno value: EINVAL when nothing is mounted
    /// there, ENOENT when there is no such path.
    /// </summary>
    public static int TryUnmount(string target)
    {
        var t = Native(target);
        return Try(() =>
        {
            fixed (byte* tp = t)
            {
                return umount2(tp, MNT_DETACH | UMOUNT_NOFOLLOW);
            }
        });
    }
}
