using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace CriO.Cni.Interop;

/// <summary>
/// Whether a path still is a network namespace: statfs(2)
/// (https://man7.org/linux/man-pages/man2/statfs.2.html) reports nsfs for a pinned namespace
/// (a bind mount under /var/run/netns) and for /proc/PID/ns/net. A pin file left behind after
/// its unmount is a plain empty file, and a plugin given it fails instead of skipping the
/// namespace-side cleanup, so teardown passes an empty CNI_NETNS for it, as for a missing path.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceProbe
{
    /// <summary>NSFS_MAGIC from linux/magic.h.</summary>
    private const long NsfsMagic = 0x6e736673;

    /// <summary>struct statfs is 120 bytes on 64-bit Linux; room to spare.</summary>
    private const int StatFsBufferBytes = 256;

    public static bool IsNamespace(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        if (!Environment.Is64BitProcess)
        {
            return File.Exists(path); // the layout below is the 64-bit one
        }

        // f_type (__fsword_t, a long) is the first field of struct statfs on every 64-bit ABI.
        var buffer = stackalloc long[StatFsBufferBytes / sizeof(long)];
        int status;
        do
        {
            status = StatFs(path, buffer);
        }
        while (status != 0 && Marshal.GetLastPInvokeError() == Tmds.Linux.LibC.EINTR);

        return status == 0 && buffer[0] == NsfsMagic;
    }

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatFs(string path, long* buffer);
}
