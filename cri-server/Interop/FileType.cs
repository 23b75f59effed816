using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Server.Interop;

/// <summary>
/// What kind of file a path is, without following a final symlink: lstat(2),
/// https://man7.org/linux/man-pages/man2/lstat.2.html. .NET exposes no socket file type.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class FileType
{
    /// <summary>True when <paramref name="path"/> exists and is a unix socket.</summary>
    public static bool IsSocket(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        stat status;
        fixed (byte* p = bytes)
        {
            if (lstat(p, &status) != 0)
            {
                var error = errno;
                return error == ENOENT || error == ENOTDIR
                    ? false
                    : throw new IOException($"lstat {path}: {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }

        return ((uint)status.st_mode & (uint)S_IFMT) == (uint)S_IFSOCK;
    }
}
