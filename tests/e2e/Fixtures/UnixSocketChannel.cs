using System.Net.Sockets;
using Grpc.Net.Client;

namespace CriO.E2E.Tests.Fixtures;

/// <summary>A .NET gRPC channel to a unix socket, as a CRI client would open one.</summary>
internal static class UnixSocketChannel
{
    // The channel crio's own clients (crio play) open, so the tests and the tools reach the daemon one way.
    public static GrpcChannel Create(string socketPath) => CriO.Server.Clients.CriSocketChannel.Create(socketPath);

    public static async Task<bool> AcceptsConnectionsAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
