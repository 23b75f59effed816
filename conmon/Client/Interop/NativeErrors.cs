using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Conmon.Client.Interop;

/// <summary>The one errno-to-exception mapping of this library's interop layer.</summary>
[SupportedOSPlatform("linux")]
internal static class NativeErrors
{
    /// <summary>An exception for <paramref name="error"/> (an errno value) from <paramref name="call"/> on <paramref name="subject"/>.</summary>
    public static Exception Error(int error, string call, string subject)
    {
        var message = $"{call} {subject}: {Marshal.GetPInvokeErrorMessage(error)}";
        if (error == ENOENT)
        {
            return new FileNotFoundException(message, subject);
        }

        return error == EACCES || error == EPERM
            ? new UnauthorizedAccessException(message)
            : new IOException(message, error);
    }
}
