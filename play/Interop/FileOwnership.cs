using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Server.Interop;

/// <summary>chown(2) of one path, following a final symlink: https://man7.org/linux/man-pages/man2/chown.2.html.</summary>
[SupportedOSPlatform("linux")]
internal static class FileOwnership
{
    /// <summary>Sets owner and group; -1 leaves either unchanged, as chown(2) takes it.</summary>
    public static unsafe void Change(string path, long uid, long gid)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            if (chown(p, (Tmds.Linux.uid_t)(uint)uid, (Tmds.Linux.gid_t)(uint)gid) != 0)
            {
                var error = errno;
                throw new IOException($"chown {path}: {Marshal.GetPInvokeErrorMessage(error)}", error);
            }
        }
    }
}
