using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Threading.Channels;

namespace CriO.Server.Streaming.Spdy;

/// <summary>
/// The server side of a SPDY/3.1 connection over an upgraded HTTP/1.1 connection, as the
/// Kubernetes streaming clients use it: the client opens every stream (odd ids) and names its
/// purpose in the headers; we answer each with a SYN_REPLY, exchange DATA, and end with FIN or
/// RST_STREAM, then GOAWAY. Pings from the client are echoed.
/// </summary>
/// <remarks>
/// Flow control: we give the client window back as our readers consume its data, so a client
/// that keeps to windows (spdy-transport) never stalls and never overruns us. We keep to the
/// client's windows once it shows it keeps them itself (a SETTINGS initial window or any
/// WINDOW_UPDATE): Go's spdystream, which the kubelet's clients use, neither sends window
/// updates nor expects a sender to wait for them, so waiting on its windows would stall every
/// stream after 64 KiB. One reader task reads frames in order; writers share one lock (header
/// compression is one zlib stream, so SYN_REPLYs must be compressed in the order they are sent).
/// </remarks>
internal sealed class SpdyConnection : IAsyncDisposable
{
    /// <summary>Data frames we send carry at most this much (a pump's buffer).</summary>
    public const int MaxDataFrame = 32 * 1024;

    private const int MaxControlFrame = 1024 * 1024;

    // The kubelet replies with no headers and Go clients read none; spdy-transport refuses a
    // reply without a status, so one is there for it.
    private static readonly KeyValuePair<string, string>[] ReplyHeaders = [new(":status", "200"), new(":version", "HTTP/1.1")];
    private const int MaxOpenStreams = 1000;

    private readonly Stream _transport;
    private readonly SpdyHeaderCodec _headers = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Channel<SpdyStream> _opened = Channel.CreateUnbounded<SpdyStream>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ConcurrentDictionary<int, SpdyStream> _streams = new();
    private readonly Lock _windows = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly IdleTimer _idle;
    private readonly Task _reading;
    private TaskCompletionSource _windowOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lastStreamId;
    private int _initialSendWindow = SpdyFrames.InitialWindow;
    private int _sessionSendWindow = SpdyFrames.InitialWindow;
    private int _sessionUnacknowledged;
    private volatile bool _peerKeepsWindows;
    private volatile bool _goneAway;

    /// <summary>Starts reading frames from <paramref name="transport"/> (the upgraded connection).</summary>
    /// <param name="idleTimeout">Ends the connection after this long without a frame either way; zero or less: never.</param>
    public SpdyConnection(Stream transport, TimeSpan idleTimeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(time);
        _transport = transport;
        _idle = new IdleTimer(idleTimeout, time, Abort);

        _reading = Task.Run(ReadFramesAsync);
    }

    /// <summary>Completes when the client has closed the connection (or it broke, or went idle).</summary>
    public Task Completion => _reading;

    /// <summary>The next stream the client opens; null once it will open no more (GOAWAY, or the connection ended).</summary>
    public async ValueTask<SpdyStream?> AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _opened.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Tells the client we take no more streams (GOAWAY), once.</summary>
    public async Task GoAwayAsync(int status, CancellationToken cancellationToken)
    {
        if (_goneAway)
        {
            return;
        }

        _goneAway = true;
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, Volatile.Read(ref _lastStreamId));
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), status);
        await TrySendAsync(ControlHead(SpdyFrames.GoAway, 0, payload.Length), payload, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        try
        {
            await _reading.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Ended either way.
        }

        _idle.Dispose();
        _closing.Dispose();
        _writing.Dispose();
    }

    internal async Task SendReplyAsync(SpdyStream stream, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var block = _headers.Encode(ReplyHeaders);
            var payload = new byte[4 + block.Length];
            BinaryPrimitives.WriteInt32BigEndian(payload, stream.Id);
            block.CopyTo(payload, 4);
            await WriteLockedAsync(ControlHead(SpdyFrames.SynReply, 0, payload.Length), payload, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    internal async Task SendDataAsync(SpdyStream stream, ReadOnlyMemory<byte> data, bool finish, CancellationToken cancellationToken)
    {
        do
        {
            if (stream.LocalFinished)
            {
                throw new IOException($"stream {stream.Id} is closed");
            }

            var length = Math.Min(data.Length, MaxDataFrame);
            if (length > 0 && _peerKeepsWindows)
            {
                length = await TakeWindowAsync(stream, length, cancellationToken).ConfigureAwait(false);
            }

            var last = finish && length == data.Length;
            var head = new byte[SpdyFrames.HeadLength];
            BinaryPrimitives.WriteInt32BigEndian(head, stream.Id);
            head[4] = last ? SpdyFrames.FlagFin : (byte)0;
            WriteLength(head, length);
            await SendAsync(head, data[..length], cancellationToken).ConfigureAwait(false);
            data = data[length..];
            if (last)
            {
                stream.LocalFinished = true;
                Forget(stream);
            }
        }
        while (data.Length > 0);
    }

    internal async Task SendResetAsync(SpdyStream stream, int status, CancellationToken cancellationToken)
    {
        if (stream.IsReset)
        {
            return;
        }

        stream.MarkReset();
        Forget(stream);
        await SendResetAsync(stream.Id, status, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts <paramref name="length"/> bytes of <paramref name="stream"/> as consumed; gives window back once half of it is.</summary>
    internal async Task AcknowledgeAsync(SpdyStream stream, int length, CancellationToken cancellationToken)
    {
        int streamDelta = 0, sessionDelta = 0;
        lock (_windows)
        {
            stream.Unacknowledged += length;
            _sessionUnacknowledged += length;
            if (stream.Unacknowledged >= SpdyFrames.InitialWindow / 2 && !stream.RemoteFinished)
            {
                (streamDelta, stream.Unacknowledged) = (stream.Unacknowledged, 0);
            }

            if (_sessionUnacknowledged >= SpdyFrames.InitialWindow / 2)
            {
                (sessionDelta, _sessionUnacknowledged) = (_sessionUnacknowledged, 0);
            }
        }

        if (streamDelta > 0)
        {
            await SendWindowUpdateAsync(stream.Id, streamDelta, cancellationToken).ConfigureAwait(false);
        }

        if (sessionDelta > 0)
        {
            await SendWindowUpdateAsync(0, sessionDelta, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> TakeWindowAsync(SpdyStream stream, int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task opened;
            lock (_windows)
            {
                var available = Math.Min(stream.SendWindow, _sessionSendWindow);
                if (available > 0)
                {
                    var taken = Math.Min(wanted, available);
                    stream.SendWindow -= taken;
                    _sessionSendWindow -= taken;
                    return taken;
                }

                opened = _windowOpened.Task;
            }

            if (stream.LocalFinished || _reading.IsCompleted)
            {
                throw new IOException($"stream {stream.Id} closed while waiting for the client's window");
            }

            await opened.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void OpenWindows(Action change)
    {
        TaskCompletionSource opened;
        lock (_windows)
        {
            change();
            opened = _windowOpened;
            _windowOpened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        opened.TrySetResult();
    }

    private async Task ReadFramesAsync()
    {
        var head = new byte[SpdyFrames.HeadLength];
        try
        {
            while (await ReadHeadAsync(head).ConfigureAwait(false))
            {
                _idle.Touch();
                var length = (head[5] << 16) | (head[6] << 8) | head[7];
                if ((head[0] & 0x80) != 0)
                {
                    var version = ((head[0] & 0x7f) << 8) | head[1];
                    var type = (ushort)((head[2] << 8) | head[3]);
                    if (version != SpdyFrames.Version || length > MaxControlFrame)
                    {
                        await GoAwayAsync(SpdyFrames.GoAwayProtocolError, CancellationToken.None).ConfigureAwait(false);
                        return;
                    }

                    var payload = new byte[length];
                    await _transport.ReadExactlyAsync(payload, _closing.Token).ConfigureAwait(false);
                    await HandleControlAsync(type, head[4], payload).ConfigureAwait(false);
                }
                else
                {
                    await HandleDataAsync(BinaryPrimitives.ReadInt32BigEndian(head) & 0x7fffffff, head[4], length).ConfigureAwait(false);
                }
            }
        }
        catch (InvalidDataException)
        {
            // A header block that does not decode leaves the compression state unknown: nothing after it can be read.
            await GoAwayAsync(SpdyFrames.GoAwayProtocolError, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or EndOfStreamException)
        {
            // The client went, the connection broke, or it was ended here.
        }
        finally
        {
            _opened.Writer.TryComplete();
            foreach (var stream in _streams.Values)
            {
                stream.FinishRemote();
            }

            OpenWindows(() => { });
        }
    }

    /// <summary>Reads a frame's head; false at a clean end of the connection.</summary>
    private async Task<bool> ReadHeadAsync(byte[] head)
    {
        var read = await _transport.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, _closing.Token).ConfigureAwait(false);
        if (read == 0)
        {
            return false;
        }

        return read == head.Length ? true : throw new EndOfStreamException("the connection ended inside a frame");
    }

    private async Task HandleControlAsync(ushort type, byte flags, byte[] payload)
    {
        switch (type)
        {
            case SpdyFrames.SynStream when payload.Length >= 10:
                await OpenStreamAsync(flags, payload).ConfigureAwait(false);
                break;
            case SpdyFrames.SynReply or SpdyFrames.Headers when payload.Length >= 4:
                // We open no streams, so a reply means nothing; its block still goes through the decoder.
                _headers.Decode(payload.AsSpan(4));
                if (type == SpdyFrames.Headers && (flags & SpdyFrames.FlagFin) != 0 && Find(payload) is { } finished)
                {
                    FinishRemote(finished);
                }

                break;
            case SpdyFrames.RstStream when payload.Length >= 8:
                if (Find(payload) is { } reset)
                {
                    reset.MarkReset();
                    Forget(reset);
                }

                break;
            case SpdyFrames.Settings when payload.Length >= 4:
                ApplySettings(payload);
                break;
            case SpdyFrames.Ping when payload.Length == 4:
                // Client pings have odd ids; ours (none) would be even.
                if ((payload[3] & 1) == 1)
                {
                    await TrySendAsync(ControlHead(SpdyFrames.Ping, 0, 4), payload, CancellationToken.None).ConfigureAwait(false);
                }

                break;
            case SpdyFrames.GoAway:
                _opened.Writer.TryComplete();
                break;
            case SpdyFrames.WindowUpdate when payload.Length == 8:
                var id = BinaryPrimitives.ReadInt32BigEndian(payload) & 0x7fffffff;
                var delta = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4)) & 0x7fffffff;
                _peerKeepsWindows = true;
                OpenWindows(() =>
                {
                    if (id == 0)
                    {
                        _sessionSendWindow += delta;
                    }
                    else if (_streams.TryGetValue(id, out var stream))
                    {
                        stream.SendWindow += delta;
                    }
                });
                break;
            default:
                // Unknown and obsolete control frames are ignored, as the protocol asks.
                break;
        }
    }

    private async Task OpenStreamAsync(byte flags, byte[] payload)
    {
        var id = BinaryPrimitives.ReadInt32BigEndian(payload) & 0x7fffffff;
        var headers = _headers.Decode(payload.AsSpan(10));
        if (id % 2 == 0 || id <= _lastStreamId)
        {
            await SendResetAsync(id, SpdyFrames.ProtocolError, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        Volatile.Write(ref _lastStreamId, id);
        if (_goneAway || _streams.Count >= MaxOpenStreams)
        {
            await SendResetAsync(id, SpdyFrames.RefusedStream, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        int window;
        lock (_windows)
        {
            window = _initialSendWindow;
        }

        var stream = new SpdyStream(this, id, headers, (flags & SpdyFrames.FlagFin) != 0, (flags & SpdyFrames.FlagUnidirectional) != 0, window);
        _streams[id] = stream;
        if (!_opened.Writer.TryWrite(stream))
        {
            await SendResetAsync(stream, SpdyFrames.RefusedStream, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void ApplySettings(byte[] payload)
    {
        var count = BinaryPrimitives.ReadInt32BigEndian(payload);
        for (var i = 0; i < count && 4 + (8 * (i + 1)) <= payload.Length; i++)
        {
            var entry = payload.AsSpan(4 + (8 * i), 8);
            var setting = (entry[1] << 16) | (entry[2] << 8) | entry[3];
            var value = BinaryPrimitives.ReadInt32BigEndian(entry[4..]);
            if (setting == SpdyFrames.SettingsInitialWindowSize && value >= 0)
            {
                _peerKeepsWindows = true;
                OpenWindows(() =>
                {
                    var delta = value - _initialSendWindow;
                    _initialSendWindow = value;
                    foreach (var stream in _streams.Values)
                    {
                        stream.SendWindow += delta;
                    }
                });
            }
        }
    }

    private async Task HandleDataAsync(int id, byte flags, int length)
    {
        _streams.TryGetValue(id, out var stream);
        var remaining = length;
        do
        {
            var piece = new byte[Math.Min(remaining, 64 * 1024)];
            await _transport.ReadExactlyAsync(piece, _closing.Token).ConfigureAwait(false);
            remaining -= piece.Length;
            if (stream is null || stream.RemoteFinished || stream.Discarding)
            {
                // Late data for a stream that is gone, or data nobody reads: the window is given back all the same.
                if (stream is not null && piece.Length > 0)
                {
                    await AcknowledgeAsync(stream, piece.Length, CancellationToken.None).ConfigureAwait(false);
                }

                continue;
            }

            if (piece.Length > 0)
            {
                try
                {
                    await stream.DeliverAsync(piece, _closing.Token).ConfigureAwait(false);
                }
                catch (ChannelClosedException)
                {
                    // Reset while we waited.
                }
            }
        }
        while (remaining > 0);

        if (stream is null && id > Volatile.Read(ref _lastStreamId))
        {
            await SendResetAsync(id, SpdyFrames.InvalidStream, CancellationToken.None).ConfigureAwait(false);
        }
        else if (stream is not null && (flags & SpdyFrames.FlagFin) != 0)
        {
            FinishRemote(stream);
        }
    }

    private void FinishRemote(SpdyStream stream)
    {
        stream.FinishRemote();
        Forget(stream);
    }

    /// <summary>Drops a stream that is over both ways, so that long sessions (port forwards) do not keep them all.</summary>
    private void Forget(SpdyStream stream)
    {
        if (stream.RemoteFinished && stream.LocalFinished)
        {
            _streams.TryRemove(stream.Id, out _);
        }
    }

    private SpdyStream? Find(byte[] payload) =>
        _streams.TryGetValue(BinaryPrimitives.ReadInt32BigEndian(payload) & 0x7fffffff, out var stream) ? stream : null;

    private Task SendResetAsync(int id, int status, CancellationToken cancellationToken)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, id);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), status);
        return TrySendAsync(ControlHead(SpdyFrames.RstStream, 0, payload.Length), payload, cancellationToken);
    }

    private Task SendWindowUpdateAsync(int id, int delta, CancellationToken cancellationToken)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, id);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), delta);
        return TrySendAsync(ControlHead(SpdyFrames.WindowUpdate, 0, payload.Length), payload, cancellationToken);
    }

    /// <summary>Sends a frame that may find the client gone; that is not an error for whoever sends it.</summary>
    private async Task TrySendAsync(byte[] head, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(head, payload, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The client has gone: the reader sees the end too.
        }
    }

    private async Task SendAsync(byte[] head, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteLockedAsync(head, payload, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    // The caller's token was honoured while waiting for the lock; a write in progress is cut
    // off only by the connection's end (a half-written frame would break the stream for all).
    private async Task WriteLockedAsync(byte[] head, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var frame = new byte[head.Length + payload.Length];
            head.CopyTo(frame, 0);
            payload.CopyTo(frame.AsMemory(head.Length));
            await _transport.WriteAsync(frame, _closing.Token).ConfigureAwait(false);
            await _transport.FlushAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            throw new IOException("the SPDY connection has ended");
        }

        _idle.Touch();
    }

    private static byte[] ControlHead(ushort type, byte flags, int length)
    {
        var head = new byte[SpdyFrames.HeadLength];
        head[0] = 0x80;
        head[1] = SpdyFrames.Version;
        head[2] = (byte)(type >> 8);
        head[3] = (byte)type;
        head[4] = flags;
        WriteLength(head, length);
        return head;
    }

    private static void WriteLength(byte[] head, int length)
    {
        head[5] = (byte)(length >> 16);
        head[6] = (byte)(length >> 8);
        head[7] = (byte)length;
    }

    private void Abort()
    {
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed already.
        }
    }
}
