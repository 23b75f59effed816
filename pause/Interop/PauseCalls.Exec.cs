using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Pause.Interop;

/// <summary>
/// execve(2), https://man7.org/linux/man-pages/man2/execve.2.html, of the pause itself (its
/// command line and environment read from /proc/self), and close_range(2) (not in Tmds.LibC),
/// https://man7.org/linux/man-pages/man2/close_range.2.html.
/// </summary>
/// <remarks>
/// Used to block signals in the runtime's own threads, which no code of ours runs on (see
/// <see cref="SignalMask"/>): a signal mask survives execve and threads inherit it, so after one
/// exec with the mask set, every thread of the new runtime blocks those signals from the start.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static unsafe partial class PauseCalls
{
    /// <summary>CLOSE_RANGE_CLOEXEC from linux/close_range.h.</summary>
    private const uint CloseRangeCloseOnExec = 1u << 2;

    /// <summary>
    /// Runs this program again in this process (same pid, same arguments, the environment plus
    /// <paramref name="marker"/> (NAME=VALUE), descriptors above 2 closed); returns only on
    /// failure, with the error.
    /// </summary>
    public static IOException ReExecSelf(string marker)
    {
        var arguments = ReadProcFile("/proc/self/cmdline");
        var environment = ReadProcFile("/proc/self/environ");
        var markerBytes = Native(marker);
        _ = close_range(3, uint.MaxValue, CloseRangeCloseOnExec);
        fixed (byte* args = arguments, env = environment, m = markerBytes, self = "/proc/self/exe\0"u8)
        {
            var argv = Split(args, arguments.Length, null);
            var envp = Split(env, environment.Length, m);
            try
            {
                execve(self, argv, envp);
                return Error(Marshal.GetLastPInvokeError(), "execve /proc/self/exe");
            }
            finally
            {
                NativeMemory.Free(argv);
                NativeMemory.Free(envp);
            }
        }
    }

    /// <summary>
    /// A NULL-terminated array of pointers to the NUL-terminated strings in
    /// <paramref name="strings"/> (a /proc cmdline or environ), with <paramref name="extra"/> added.
    /// </summary>
    private static byte** Split(byte* strings, int length, byte* extra)
    {
        var count = 0;
        for (var i = 0; i < length; i++)
        {
            count += strings[i] == 0 ? 1 : 0;
        }

        var array = (byte**)NativeMemory.Alloc((nuint)(count + 2), (nuint)sizeof(byte*));
        var n = 0;
        for (var start = 0; start < length;)
        {
            array[n++] = strings + start;
            while (start < length && strings[start] != 0)
            {
                start++;
            }

            start++;
        }

        if (extra != null)
        {
            array[n++] = extra;
        }

        array[n] = null;
        return array;
    }

    /// <summary>The whole content of a /proc file (their size is not known in advance).</summary>
    private static byte[] ReadProcFile(string path)
    {
        var p = Native(path);
        int fd;
        fixed (byte* pp = p)
        {
            while (Interrupted(fd = open(pp, O_RDONLY | O_CLOEXEC, 0)))
            {
            }
        }

        Check(fd, "open " + path);
        try
        {
            var content = new byte[4096];
            var length = 0;
            while (true)
            {
                if (length == content.Length)
                {
                    Array.Resize(ref content, content.Length * 2);
                }

                long count;
                fixed (byte* c = content)
                {
                    while (Interrupted(count = read(fd, c + length, content.Length - length)))
                    {
                    }
                }

                if (Check(count, "read " + path) == 0)
                {
                    return content[..length];
                }

                length += (int)count;
            }
        }
        finally
        {
            close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close_range(uint first, uint last, uint flags);
}
