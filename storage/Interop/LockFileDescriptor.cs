using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// A file descriptor opened by <see cref="FileLockCalls"/>: lock files, and directories opened to
/// fsync them. Disposing closes it, which also drops any open-file-description lock taken
/// through it: close(2), https://man7.org/linux/man-pages/man2/close.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LockFileDescriptor : SafeHandle
{
    public LockFileDescriptor()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    internal LockFileDescriptor(int fd)
        : this()
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle == new IntPtr(-1);

    // close(2) is not retried on EINTR: on Linux the descriptor is gone either way.
    protected override bool ReleaseHandle() => close((int)handle) == 0;
}
