using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Server.Stats.Interop;

/// <summary>setns(2) into a network namespace: https://man7.org/linux/man-pages/man2/setns.2.html.</summary>
[SupportedOSPlatform("linux")]
internal static class NetworkNamespace
{
    /// <summary>
    /// Moves the calling thread, and only it, into the namespace of <paramref name="file"/>.
    /// Call it on a dedicated thread that ends afterwards, never on a pool thread.
    /// </summary>
    public static void JoinOnThisThread(NamespaceFile file, string path)
    {
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (setns((int)file.DangerousGetHandle().ToInt64(), CLONE_NEWNET) != 0)
            {
                var error = errno;
                throw new IOException($"setns {path}: {Marshal.GetPInvokeErrorMessage(error)}", error);
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }
}
