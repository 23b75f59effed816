using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// A file descriptor: directories held while a layer is applied, files written or read, lock
/// files. Disposing closes it, which also drops an open-file-description lock taken through it:
/// close(2), https://man7.org/linux/man-pages/man2/close.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class SafeFd : SafeHandle
{
    public SafeFd()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    internal SafeFd(int fd)
        : this()
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number, for messages and for /proc/self/fd paths.</summary>
    public int Number => (int)handle.ToInt64();

    // close(2) is not retried on EINTR: on Linux the descriptor is released either way.
    protected override bool ReleaseHandle() => close((int)handle.ToInt64()) == 0;
}
