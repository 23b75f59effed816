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
}
