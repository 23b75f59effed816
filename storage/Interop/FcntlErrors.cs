using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// Calls for lock files and metadata files. Each native function is in its own file
/// (FcntlOpen, FcntlLock, LockFileIo); this one holds the one errno-to-exception mapping.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class FileLockCalls
{
    /// <summary>An exception for <paramref name="error"/> (an errno value) from <paramref name="call"/> on <paramref name="path"/>.</summary>
    public static Exception Error(int error, string call, string path)
    {
        var message = $"{call} {path}: {Marshal.GetPInvokeErrorMessage(error)}";
        if (error == ENOENT)
        {
            return new FileNotFoundException(message, path);
        }

        if (error == ENOTDIR)
        {
            return new DirectoryNotFoundException(message);
        }

        return error == EACCES || error == EPERM || error == EROFS
            ? new UnauthorizedAccessException(message)
            : new IOException(message, error);
    }

    /// <summary>
    /// Keeps a descriptor from being closed (and its number reused) while a raw call uses it:
    /// <c>using var d = new Borrowed(fd);</c> then pass <see cref="Fd"/>.
    /// </summary>
    private ref struct Borrowed
    {
        private readonly LockFileDescriptor _descriptor;
        private bool _added;

        public Borrowed(LockFileDescriptor descriptor)
        {
            _descriptor = descriptor;
            _added = false;
            descriptor.DangerousAddRef(ref _added);
            Fd = (int)descriptor.DangerousGetHandle();
        }

        public int Fd { get; }

        public void Dispose()
        {
            if (_added)
            {
                _added = false;
                _descriptor.DangerousRelease();
            }
        }
    }
}
