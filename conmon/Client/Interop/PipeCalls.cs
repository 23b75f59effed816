using System.Runtime.Versioning;
using CriO.Storage.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Conmon.Client.Interop;

/// <summary>
/// Pipes and FIFOs between the daemon and a monitor: pipe2(2)
/// (https://man7.org/linux/man-pages/man2/pipe.2.html), fcntl(2) F_DUPFD_CLOEXEC and F_SETFL,
/// read(2) and write(2) with EINTR retried here, open(2) of a FIFO without blocking.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class PipeCalls
{
    /// <summary>
    /// Child ends are moved to descriptors at or above this number before posix_spawn dup2s them
    /// onto 0-4, so that no dup2 overwrites an end another one still needs.
    /// </summary>
    private const int ChildFdFloor = 10;

    /// <summary>A close-on-exec pipe: (read end, write end).</summary>
    public static (SafeFd Read, SafeFd Write) CreatePipe()
    {
        var fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
        {
            throw NativeErrors.Error(errno, "pipe2", "sync pipe");
        }

        return (new SafeFd(fds[0]), new SafeFd(fds[1]));
    }

    /// <summary>A close-on-exec duplicate of <paramref name="fd"/> numbered 10 or above; the original is closed.</summary>
    public static SafeFd MoveHigh(SafeFd fd)
    {
        using (fd)
        {
            var copy = fcntl(fd.Number, F_DUPFD_CLOEXEC, ChildFdFloor);
            if (copy < 0)
            {
                throw NativeErrors.Error(errno, "fcntl F_DUPFD_CLOEXEC", $"fd {fd.Number}");
            }

            return new SafeFd(copy);
        }
    }

    /// <summary>Makes reads of <paramref name="fd"/> return EAGAIN instead of blocking.</summary>
    public static void SetNonBlocking(SafeFd fd)
    {
        var flags = fcntl(fd.Number, F_GETFL);
        if (flags < 0 || fcntl(fd.Number, F_SETFL, flags | O_NONBLOCK) < 0)
        {
            throw NativeErrors.Error(errno, "fcntl F_SETFL O_NONBLOCK", $"fd {fd.Number}");
        }
    }

    /// <summary>
    /// Reads what is there from a non-blocking descriptor: the byte count, 0 at end of file,
    /// -1 when nothing is there yet (EAGAIN).
    /// </summary>
    /// <summary>
    /// Blocks up to <paramref name="timeoutMilliseconds"/> until <paramref name="fd"/> has data
    /// or its writer is gone: poll(2), https://man7.org/linux/man-pages/man2/poll.2.html.
    /// </summary>
    public static void WaitReadable(SafeFd fd, int timeoutMilliseconds)
    {
        var request = new Tmds.Linux.pollfd { fd = fd.Number, events = (short)POLLIN };
        while (poll(&request, 1, timeoutMilliseconds) < 0)
        {
            // A signal cuts poll short (EINTR). In a process that also runs children through
            // System.Diagnostics.Process, errno has then been seen to read 0 or EAGAIN (the
            // runtime's SIGCHLD handling overwrote it): only the errors that say the call itself
            // was wrong are thrown; anything else is that interruption, and the poll is retried.
            var error = errno;
            if (error == EBADF || error == EFAULT || error == EINVAL || error == ENOMEM)
            {
                throw NativeErrors.Error(error, "poll", $"fd {fd.Number}");
            }
        }
    }

    public static int ReadAvailable(SafeFd fd, Span<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var n = read(fd.Number, b, buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                var error = errno;
                if (error == EINTR)
                {
                    continue;
                }

                if (error == EAGAIN)
                {
                    return -1;
                }

                throw NativeErrors.Error(error, "read", $"fd {fd.Number}");
            }
        }
    }

    /// <summary>Writes all of <paramref name="data"/>; a FIFO or pipe with no reader fails with EPIPE (SIGPIPE is ignored by .NET).</summary>
    public static void WriteAll(SafeFd fd, ReadOnlySpan<byte> data, string subject)
    {
        fixed (byte* b = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = write(fd.Number, b + done, data.Length - done);
                if (n < 0)
                {
                    var error = errno;
                    if (error == EINTR)
                    {
                        continue;
                    }

                    throw NativeErrors.Error(error, "write", subject);
                }

                done += (int)n;
            }
        }
    }

    /// <summary>
    /// Opens a FIFO for writing without blocking: ENXIO (no reader, so the monitor is gone)
    /// becomes an <see cref="IOException"/> saying so.
    /// </summary>
    public static SafeFd OpenFifoForWriting(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            while (true)
            {
                var fd = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
                if (fd >= 0)
                {
                    return new SafeFd(fd);
                }

                var error = errno;
                if (error == EINTR)
                {
                    continue;
                }

                if (error == ENXIO)
                {
                    throw new IOException($"open {path}: no monitor is reading the control FIFO", error);
                }

                throw NativeErrors.Error(error, "open", path);
            }
        }
    }
}
