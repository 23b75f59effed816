using System.Net.Sockets;
using Grpc.Net.Client;

namespace CriO.Server.Play;

/// <summary>A gRPC channel to a CRI socket (HTTP/2 over a unix socket), the way the kubelet and crictl reach the daemon.</summary>
public static class CriSocketChannel
{
    /// <summary>A channel to <paramref name="socketPath"/>; a unix:// prefix, as the kubelet writes endpoints, is accepted.</summary>
    public static GrpcChannel Create(string socketPath)
    {
        const string Scheme = "unix://";
        var path = socketPath.StartsWith(Scheme, StringComparison.Ordinal) ? socketPath[Scheme.Length..] : socketPath;
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
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
            },
        });
    }
}
