using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// mount(2) and umount2(2): https://man7.org/linux/man-pages/man2/mount.2.html,
/// https://man7.org/linux/man-pages/man2/umount.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
public static unsafe class MountCalls
{
    public const int MntDetach = 2;

    public static void Mount(string source, string target, string fileSystemType, ulong flags, string? data)
    {
        fixed (byte* s = Bytes(source), t = Bytes(target), f = Bytes(fileSystemType), d = data is null ? null : Bytes(data))
        {
            if (mount(s, t, f, (Tmds.Linux.ulong_t)flags, d) != 0)
            {
                var error = errno;
                throw new IOException($"mount {fileSystemType} on {target}: {Marshal.GetPInvokeErrorMessage(error)}", error);
            }
        }
    }

    /// <summary>Unmounts <paramref name="target"/>; false when nothing was mounted there (EINVAL).</summary>
    public static bool Unmount(string target, int flags)
    {
        fixed (byte* t = Bytes(target))
        {
            if (umount2(t, flags) == 0)
            {
                return true;
            }

            var error = errno;
            if (error == EINVAL || error == ENOENT)
            {
                return false;
            }

            throw new IOException($"umount {target}: {Marshal.GetPInvokeErrorMessage(error)}", error);
        }
    }

    private static byte[] Bytes(string value) => Encoding.UTF8.GetBytes(value + "\0");
}
