using Grpc.Net.Client;

namespace CriO.Server.Clients;

/// <summary>A gRPC channel to a CRI socket (HTTP/2 over a unix socket), the way the kubelet and crictl reach the daemon.</summary>
public static class CriSocketChannel
{
    public static GrpcChannel Create(string socketPath) =>
        GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = UnixSocketHttpHandler.Create(socketPath) });
}
