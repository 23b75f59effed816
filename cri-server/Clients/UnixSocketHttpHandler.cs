using System.Net.Sockets;

namespace CriO.Server.Clients;

/// <summary>An HTTP handler whose every connection goes to one unix socket (the CRI socket, for crio's own client commands).</summary>
public static class UnixSocketHttpHandler
{
    private const string Scheme = "unix://";

    /// <param name="socketPath">A path, or an endpoint as the kubelet writes it (unix:///var/run/crio/crio.sock).</param>
    public static SocketsHttpHandler Create(string socketPath)
    {
        ArgumentNullException.ThrowIfNull(socketPath);
        var path = socketPath.StartsWith(Scheme, StringComparison.Ordinal) ? socketPath[Scheme.Length..] : socketPath;
        return new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }
}
