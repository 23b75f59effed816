using System.Net.Sockets;

namespace CriO.Server.Clients;

/// <summary>An HTTP handler whose every connection goes to one unix socket (the CRI socket, for crio's own client commands).</summary>
public static class UnixSocketHttpHandler
{
    public static SocketsHttpHandler Create(string socketPath) => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
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
