using System.Net.Sockets;
using System.Text;

namespace CriO.Server.Daemon;

/// <summary>
/// sd_notify(3) without libsystemd: under a Type=notify unit systemd passes NOTIFY_SOCKET, and
/// a datagram saying READY=1 tells it (and the kubelet ordered after crio) that the CRI socket
/// answers. Without NOTIFY_SOCKET nothing is sent.
/// </summary>
public static class SystemdNotify
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    public static void Ready() => Send(Environment.GetEnvironmentVariable(SocketVariable), "READY=1\nSTATUS=serving the CRI");

    public static void Reloading() => Send(Environment.GetEnvironmentVariable(SocketVariable), $"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}");

    public static void Reloaded() => Send(Environment.GetEnvironmentVariable(SocketVariable), "READY=1");

    public static void Stopping() => Send(Environment.GetEnvironmentVariable(SocketVariable), "STOPPING=1");

    /// <summary>Sends <paramref name="state"/> to the socket <paramref name="address"/> (a path, or @name for an abstract one); false when there is none or it is gone.</summary>
    public static bool Send(string? address, string state)
    {
        if (string.IsNullOrEmpty(address))
        {
            return false;
        }

        // An abstract socket is written @name; its address starts with a NUL byte.
        var endpoint = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.SendTo(Encoding.UTF8.GetBytes(state), endpoint);
            return true;
        }
        catch (SocketException)
        {
            // systemd went away or this is not a systemd service after all: nothing to tell.
            return false;
        }
    }

    // CLOCK_MONOTONIC, which Stopwatch reads on Linux, in microseconds.
    private static long MonotonicMicroseconds() =>
        (long)(System.Diagnostics.Stopwatch.GetTimestamp() * (1_000_000.0 / System.Diagnostics.Stopwatch.Frequency));
}
