using System.Net.Sockets;
using CriO.Server.Http2;

namespace CriO.Server.Tests.Http2;

/// <summary>
/// A bare HTTP/2 client over a unix socket that writes exactly the frames a test gives it, so a
/// test can send what grpc-go sends, which no .NET client can be made to.
/// </summary>
internal sealed class Http2RawClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private Http2RawClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    public static async Task<Http2RawClient> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new Http2RawClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(bytes, cancellationToken);

    /// <summary>The next frame from the server, or null when it closed the connection.</summary>
    public async Task<Http2TestFrame?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var header = new byte[Http2FrameHeader.Size];
        int read = await _stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        if (read < header.Length)
        {
            return null;
        }

        Http2FrameHeader parsed = Http2FrameHeader.Parse(header);
        var payload = new byte[parsed.Length];
        await _stream.ReadExactlyAsync(payload, cancellationToken);
        return new Http2TestFrame(parsed.Type, parsed.Flags, parsed.StreamId, payload);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
