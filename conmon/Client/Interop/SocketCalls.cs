using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using CriO.Storage.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CriO.Conmon.Client.Interop;

/// <summary>
/// Unix-socket and terminal calls both the daemon and crio-conmon make: a runtime's
/// --console-socket (listen, accept, the pty master received with SCM_RIGHTS, unix(7),
/// cmsg(3)), accept4(2) without blocking, and TIOCSWINSZ on a terminal (ioctl_tty(2)).
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class SocketCalls
{
    private const int ErrorAborted = 103; // ECONNABORTED

    private static int Check(int result, string call, string subject) =>
        result >= 0 ? result : throw NativeErrors.Error(errno, call, subject);

    /// <summary>
    /// A listening unix SOCK_STREAM socket at <paramref name="path"/>, for the runtime's
    /// --console-socket: the runtime connects and sends the terminal's master over it.
    /// </summary>
    public static SafeFd ListenStream(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        if (bytes.Length > 108)
        {
            throw new IOException($"console socket path {path} is longer than sun_path");
        }

        var fd = new SafeFd(Check(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), "socket", path));
        var address = new sockaddr_un { sun_family = AF_UNIX };
        for (var i = 0; i < bytes.Length; i++)
        {
            address.sun_path[i] = bytes[i];
        }

        Check(bind(fd.Number, (sockaddr*)&address, sizeof(sockaddr_un)), "bind", path);
        Check(listen(fd.Number, 1), "listen", path);
        return fd;
    }

    /// <summary>
    /// The descriptor a peer sent with SCM_RIGHTS on <paramref name="connection"/> (the runtime's
    /// terminal master); null when the message carried none.
    /// </summary>
    public static SafeFd? ReceiveDescriptor(SafeFd connection)
    {
        var data = stackalloc byte[256];
        var control = stackalloc byte[64];
        var vector = new iovec { iov_base = data, iov_len = 256 };
        var message = new msghdr { msg_iov = &vector, msg_iovlen = 1, msg_control = control, msg_controllen = 64 };
        while (recvmsg(connection.Number, &message, MSG_CMSG_CLOEXEC) < 0)
        {
            var error = errno;
            if (error != EINTR)
            {
                throw NativeErrors.Error(error, "recvmsg", "console socket");
            }
        }

        for (var header = CMSG_FIRSTHDR(&message); header != null; header = CMSG_NXTHDR(&message, header))
        {
            if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS)
            {
                return new SafeFd(*(int*)CMSG_DATA(header));
            }
        }

        return null;
    }

    /// <summary>Waits up to <paramref name="milliseconds"/> for a connection on a non-blocking listener.</summary>
    public static SafeFd? AcceptWithin(SafeFd listener, int milliseconds)
    {
        PipeCalls.WaitReadable(listener, milliseconds);
        return Accept(listener);
    }

    /// <summary>The next waiting client, or null when none is.</summary>
    public static SafeFd? Accept(SafeFd listener)
    {
        var fd = accept4(listener.Number, null, null, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0)
        {
            return new SafeFd(fd);
        }

        var error = errno;
        return error == EAGAIN || error == EINTR || error == ErrorAborted ? null : throw NativeErrors.Error(error, "accept4", "unix socket");
    }

    /// <summary>Sets a terminal's size (TIOCSWINSZ).</summary>
    public static void Resize(SafeFd terminal, ushort rows, ushort columns)
    {
        var size = new winsize { ws_row = rows, ws_col = columns };
        _ = ioctl(terminal.Number, TIOCSWINSZ, &size);
    }
}
