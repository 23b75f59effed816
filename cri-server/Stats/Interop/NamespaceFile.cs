using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Server.Stats.Interop;

/// <summary>
/// An open namespace file (a pinned /var/run/netns/ID, or /proc/PID/ns/net), closed on dispose:
/// open(2), https://man7.org/linux/man-pages/man2/open.2.html; close(2) is not retried on EINTR,
/// the descriptor being released either way on Linux.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class NamespaceFile : SafeHandle
{
    private NamespaceFile(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>Opens the file read-only, close-on-exec; null when it does not exist.</summary>
    public static unsafe NamespaceFile? Open(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            while (true)
            {
                var fd = open(p, O_RDONLY | O_CLOEXEC);
                if (fd >= 0)
                {
                    return new NamespaceFile(fd);
                }

                var error = errno;
                if (error == EINTR)
                {
                    continue;
                }

                return error == ENOENT
                    ? null
                    : throw new IOException($"open {path}: {Marshal.GetPInvokeErrorMessage(error)}", error);
            }
        }
    }

    protected override bool ReleaseHandle() => close((int)handle.ToInt64()) == 0;
}
