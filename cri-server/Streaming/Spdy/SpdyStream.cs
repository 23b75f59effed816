using System.Threading.Channels;

namespace CriO.Server.Streaming.Spdy;

/// <summary>
/// One stream of a <see cref="SpdyConnection"/>, opened by the client. What the client sends
/// is read in order with <see cref="ReadAsync"/> (each read gives the client window for that
/// much more); what we send goes out as DATA frames within the client's window.
/// </summary>
/// <remarks>
/// Life of a stream:
/// <code>
///   SYN_STREAM ──► open ──(client FIN)──► remote-finished ─┐
///                   │                                      ├─(both)──► closed (forgotten)
///                   └──(our FIN, CloseWriteAsync)─────────►┘
///   RST_STREAM either way, or the connection ending ──► closed
/// </code>
/// </remarks>
internal sealed class SpdyStream
{
    // Enough frames to cover the window we give; the reader waits when a stream is this far behind.
    private const int InboundFrames = 64;

    private readonly SpdyConnection _connection;
    private readonly Channel<ReadOnlyMemory<byte>> _inbound = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(InboundFrames) { SingleReader = true, SingleWriter = true });

    internal SpdyStream(SpdyConnection connection, int id, SpdyHeaders headers, bool remoteFinished, bool unidirectional, int sendWindow)
    {
        _connection = connection;
        Id = id;
        Headers = headers;
        SendWindow = sendWindow;
        LocalFinished = unidirectional;
        if (remoteFinished)
        {
            FinishRemote();
        }
    }

    public int Id { get; }

    public SpdyHeaders Headers { get; }

    /// <summary>The client has sent its last frame (FIN) or the stream was reset.</summary>
    public bool RemoteFinished { get; private set; }

    /// <summary>We have sent our last frame (FIN), may not send (unidirectional) or the stream was reset.</summary>
    public bool LocalFinished { get; internal set; }

    public bool IsReset { get; private set; }

    /// <summary>Bytes we may still send before the client opens its window further (guarded by the connection).</summary>
    internal int SendWindow { get; set; }

    /// <summary>Bytes the client sent that were consumed but not yet given back as window (guarded by the connection).</summary>
    internal int Unacknowledged { get; set; }

    /// <summary>Data arriving on a stream nobody reads is dropped (and its window given back) rather than kept.</summary>
    internal bool Discarding { get; private set; }

    /// <summary>Answers the client's SYN_STREAM with a SYN_REPLY.</summary>
    public Task ReplyAsync(CancellationToken cancellationToken) => _connection.SendReplyAsync(this, cancellationToken);

    /// <summary>The next piece of what the client sent; null once it has finished (or reset) the stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        while (await _inbound.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_inbound.Reader.TryRead(out var data))
            {
                await _connection.AcknowledgeAsync(this, data.Length, cancellationToken).ConfigureAwait(false);
                return data;
            }
        }

        return null;
    }

    /// <summary>Sends <paramref name="data"/> (split into frames, within the client's window).</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _connection.SendDataAsync(this, data, finish: false, cancellationToken);

    /// <summary>Sends our FIN: the client reads the end of the stream. Repeating it does nothing.</summary>
    public Task CloseWriteAsync(CancellationToken cancellationToken) =>
        LocalFinished ? Task.CompletedTask : _connection.SendDataAsync(this, ReadOnlyMemory<byte>.Empty, finish: true, cancellationToken);

    /// <summary>Abandons the stream both ways (RST_STREAM).</summary>
    public Task ResetAsync(int status, CancellationToken cancellationToken) => _connection.SendResetAsync(this, status, cancellationToken);

    /// <summary>Drops what the client sends on this stream from now on.</summary>
    public void DiscardInput()
    {
        Discarding = true;
        while (_inbound.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Queues a frame's data for the reader; waits while the reader is far behind.</summary>
    internal ValueTask DeliverAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _inbound.Writer.WriteAsync(data, cancellationToken);

    internal void FinishRemote()
    {
        RemoteFinished = true;
        _inbound.Writer.TryComplete();
    }

    internal void MarkReset()
    {
        IsReset = true;
        LocalFinished = true;
        FinishRemote();
    }
}
