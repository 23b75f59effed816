using System.Runtime.Versioning;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// read(2), write(2) and syncfs(2): https://man7.org/linux/man-pages/man2/read.2.html,
/// https://man7.org/linux/man-pages/man2/write.2.html, https://man7.org/linux/man-pages/man2/syncfs.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileTreeCalls
{
    /// <summary>Reads what is available, up to the buffer's length; 0 at the end of the file.</summary>
    public static int Read(SafeFd descriptor, Span<byte> buffer, string displayPath)
    {
        using var d = new SafeFdBorrow(descriptor);
        fixed (byte* p = buffer)
        {
            long n;
            int error;
            do
            {
                n = (long)read(d.Fd, p, (size_t)buffer.Length);
                error = ErrnoOf(n);
            }
            while (Interrupted(error));

            return error == 0 ? (int)n : throw Error(error, "read", displayPath);
        }
    }

    /// <summary>Writes all of <paramref name="data"/>, continuing after short writes; returns 0 or errno.</summary>
    public static int TryWriteAll(SafeFd descriptor, ReadOnlySpan<byte> data)
    {
        using var d = new SafeFdBorrow(descriptor);
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = (long)write(d.Fd, p + done, (size_t)(data.Length - done));
                var error = ErrnoOf(n);
                if (Interrupted(error))
                {
                    continue;
                }

                if (error != 0)
                {
                    return error;
                }

                done += (int)n;
            }

            return 0;
        }
    }

    /// <summary>syncfs(2): flushes the whole file system holding <paramref name="descriptor"/>.</summary>
    public static void SyncFileSystem(SafeFd descriptor, string displayPath)
    {
        using var d = new SafeFdBorrow(descriptor);
        int error;
        do
        {
            error = ErrnoOf(syncfs(d.Fd));
        }
        while (Interrupted(error));

        if (error != 0)
        {
            throw Error(error, "syncfs", displayPath);
        }
    }
}
