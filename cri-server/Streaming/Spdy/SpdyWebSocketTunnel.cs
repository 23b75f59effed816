using System.Net.WebSockets;

namespace CriO.Server.Streaming.Spdy;

/// <summary>
/// The byte stream of a SPDY connection tunnelled in a WebSocket (KEP-4006's
/// <c>SPDY/3.1+portforward.k8s.io</c>): what the client sends is the bytes of its binary
/// messages back to back, and each write of ours is one binary message. It ends as a
/// connection does for <see cref="SpdyConnection"/>: the client's close is the end of the
/// stream (0), and a WebSocket that broke or was closed is an <see cref="IOException"/>.
/// </summary>
internal sealed class SpdyWebSocketTunnel(WebSocket socket) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or InvalidOperationException)
            {
                throw new IOException("the WebSocket tunnel broke", e);
            }

            switch (result.MessageType)
            {
                case WebSocketMessageType.Close:
                    return 0;
                case WebSocketMessageType.Binary when result.Count > 0 || buffer.Length == 0:
                    return result.Count;
                case WebSocketMessageType.Text:
                    throw new IOException("a text message in a SPDY tunnel, which carries binary messages only");
            }

            // An empty binary message carries nothing: read on.
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await socket.SendAsync(buffer, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or InvalidOperationException)
        {
            throw new IOException("the WebSocket tunnel broke", e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the tunnel is read asynchronously");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the tunnel is written asynchronously");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
