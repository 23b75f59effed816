using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using CriO.Conmon.Client.Interop;
using CriO.Storage.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Conmon.Monitor.Interop;

/// <summary>
/// The monitor's syscalls: epoll(7), pidfd_open(2), waitpid(2), the child-subreaper prctl(2),
/// mkfifo(3), unix SOCK_SEQPACKET sockets (unix(7)) and file writes, each failure an exception
/// naming the call (the shared <see cref="NativeErrors"/>).
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class MonitorCalls
{
    private const int PrSetChildSubreaper = 36;
    private const int SysPidfdOpen = 434;
    private const int NoHang = 1; // WNOHANG

    private static byte[] Native(string value) => Encoding.UTF8.GetBytes(value + "\0");

    private static int Check(int result, string call, string subject)
    {
        return result >= 0 ? result : throw NativeErrors.Error(errno, call, subject);
    }

    public static SafeFd EpollCreate() => new(Check(epoll_create1(EPOLL_CLOEXEC), "epoll_create1", "monitor"));

    /// <summary>Watches <paramref name="fd"/> for input (and hang-up); <paramref name="token"/> comes back with its events.</summary>
    public static void EpollAdd(SafeFd epoll, int fd, ulong token)
    {
        var item = new epoll_event { events = EPOLLIN, data = new epoll_data_t { u64 = token } };
        Check(epoll_ctl(epoll.Number, EPOLL_CTL_ADD, fd, &item), "epoll_ctl ADD", $"fd {fd}");
    }

    public static void EpollRemove(SafeFd epoll, int fd) => _ = epoll_ctl(epoll.Number, EPOLL_CTL_DEL, fd, null);

    /// <summary>Waits for events; the tokens of the ready descriptors land in <paramref name="ready"/>. EINTR counts as none.</summary>
    public static int EpollWait(SafeFd epoll, Span<ulong> ready, int timeoutMilliseconds)
    {
        var events = stackalloc epoll_event[ready.Length];
        var n = epoll_wait(epoll.Number, events, ready.Length, timeoutMilliseconds);
        if (n < 0)
        {
            return errno == EINTR ? 0 : throw NativeErrors.Error(errno, "epoll_wait", "monitor");
        }

        for (var i = 0; i < n; i++)
        {
            ready[i] = events[i].data.u64;
        }

        return n;
    }

    /// <summary>A descriptor that turns readable when the process exits (Linux 5.3).</summary>
    public static SafeFd PidfdOpen(int pid) =>
        new((int)Check((int)syscall(SysPidfdOpen, pid, 0), "pidfd_open", $"pid {pid}"));

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long arg1, long arg2);

    /// <summary>Makes orphans of this process's descendants (the container's init) its children.</summary>
    public static void BecomeSubreaper() => Check(prctl(PrSetChildSubreaper, 1, 0, 0, 0), "prctl", "PR_SET_CHILD_SUBREAPER");

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Waits for <paramref name="pid"/> (or any child for -1); with <paramref name="block"/> false, 0 when none has exited.</summary>
    public static int Wait(int pid, out int status, bool block)
    {
        int raw;
        while (true)
        {
            var reaped = waitpid(pid, &raw, block ? 0 : NoHang);
            if (reaped >= 0)
            {
                status = raw;
                return reaped;
            }

            var error = errno;
            if (error == ECHILD)
            {
                status = 0;
                return -1;
            }

            if (error != EINTR)
            {
                throw NativeErrors.Error(error, "waitpid", $"pid {pid}");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int waitpid(int pid, int* status, int options);

    /// <summary>SIGKILL to <paramref name="pid"/>; gone already is fine.</summary>
    public static void Kill(int pid) => _ = kill(pid, SIGKILL);

    /// <summary>An exit status as a shell reports it: the code, or 128+N after signal N.</summary>
    public static int ExitCode(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);

    public static void MakeFifo(string path)
    {
        var p = Native(path);
        fixed (byte* b = p)
        {
            if (mkfifo(b, 0x1b6) != 0 && errno != EEXIST)
            {
                throw NativeErrors.Error(errno, "mkfifo", path);
            }
        }
    }

    /// <summary>Opens a FIFO for reading without blocking on a writer.</summary>
    public static SafeFd OpenFifo(string path, bool write = false)
    {
        var p = Native(path);
        fixed (byte* b = p)
        {
            return new SafeFd(Check(open(b, (write ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_CLOEXEC), "open", path));
        }
    }

    /// <summary>Opens (creating, appending) a log file, or truncates it when <paramref name="truncate"/>.</summary>
    public static SafeFd OpenLog(string path, bool truncate)
    {
        var p = Native(path);
        fixed (byte* b = p)
        {
            var flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND);
            return new SafeFd(Check(open(b, flags, 0x1a0), "open", path));
        }
    }

    public static long FileSize(SafeFd fd)
    {
        stat status;
        Check(fstat(fd.Number, &status), "fstat", $"fd {fd.Number}");
        return status.st_size;
    }

    public static void Sync(SafeFd fd) => _ = fsync(fd.Number);

    /// <summary>
    /// A listening unix SOCK_SEQPACKET socket named <paramref name="name"/> in
    /// <paramref name="directory"/> (replacing a stale one). It is bound through
    /// /proc/self/fd/N/NAME of the opened folder, so a deep bundle path never meets sun_path's
    /// 108 bytes.
    /// </summary>
    public static SafeFd ListenSeqpacket(string directory, string name)
    {
        var dir = Native(directory);
        int dirFd;
        fixed (byte* d = dir)
        {
            dirFd = Check(open(d, O_PATH | O_DIRECTORY | O_CLOEXEC), "open", directory);
        }

        using var folder = new SafeFd(dirFd);
        var shortPath = $"/proc/self/fd/{dirFd}/{name}";
        var bytes = Native(shortPath);
        if (bytes.Length > 108)
        {
            throw new IOException($"socket name {name} is too long for sun_path");
        }

        var fd = new SafeFd(Check(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), "socket", name));
        var address = new sockaddr_un { sun_family = AF_UNIX };
        fixed (byte* b = bytes)
        {
            _ = unlink(b);
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            address.sun_path[i] = bytes[i];
        }

        Check(bind(fd.Number, (sockaddr*)&address, sizeof(sockaddr_un)), "bind", Path.Join(directory, name));
        Check(listen(fd.Number, 10), "listen", Path.Join(directory, name));
        return fd;
    }

    /// <summary>A second descriptor for the same open file (close-on-exec).</summary>
    public static SafeFd Duplicate(SafeFd fd) => new(Check(fcntl(fd.Number, F_DUPFD_CLOEXEC, 3), "fcntl F_DUPFD_CLOEXEC", $"fd {fd.Number}"));

    /// <summary>Sends one packet without blocking; false when the peer is gone or full (it is then dropped).</summary>
    public static bool SendPacket(SafeFd fd, ReadOnlySpan<byte> packet)
    {
        fixed (byte* b = packet)
        {
            return send(fd.Number, b, packet.Length, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0;
        }
    }

    /// <summary>Writes what it can without blocking; the count, or -1 when the reader is gone.</summary>
    public static int WriteSome(SafeFd fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* b = data)
        {
            while (true)
            {
                var n = write(fd.Number, b, data.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                var error = errno;
                if (error == EINTR)
                {
                    continue;
                }

                return error == EAGAIN ? 0 : -1;
            }
        }
    }
}
