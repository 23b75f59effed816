namespace CriO.Server.Streaming.Spdy;

/// <summary>
/// Exec and attach over SPDY (the kubelet's remotecommand protocols v1–v4): the client opens
/// one stream per channel, named by its <c>streamtype</c> header (error, stdin, stdout, stderr,
/// and resize for a terminal in v3 and v4), and the session starts once all those it asked
/// for are there. The end of the client's stdin stream is the close signal for channel 0;
/// resize carries JSON sizes back to back, handed on one by one.
/// </summary>
internal sealed class SpdyRemoteCommand : IStreamChannels
{
    /// <summary>Exec and attach protocols, newest first.</summary>
    public static readonly string[] Protocols = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"];

    private readonly SpdyConnection _connection;
    private readonly SpdyStream?[] _streams = new SpdyStream?[5];

    private SpdyRemoteCommand(SpdyConnection connection, string protocol)
    {
        _connection = connection;
        Protocol = protocol;
    }

    public string Protocol { get; }

    public bool StatusErrors => Protocol.StartsWith("v4.", StringComparison.Ordinal);

    /// <summary>Whether the protocol has a resize stream (v3 and newer).</summary>
    public static bool Resizes(string protocol) => protocol is "v4.channel.k8s.io" or "v3.channel.k8s.io";

    /// <summary>
    /// Waits for the streams the session needs (replying to each as it comes); null when the
    /// client did not open them in time or went away first.
    /// </summary>
    public static async Task<SpdyRemoteCommand?> AcceptAsync(
        SpdyConnection connection, string protocol, bool stdin, bool stdout, bool stderr, bool tty, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var channels = new SpdyRemoteCommand(connection, protocol);
        var expected = 1 + (stdin ? 1 : 0) + (stdout ? 1 : 0) + (stderr ? 1 : 0) + (tty && Resizes(protocol) ? 1 : 0);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            for (var received = 0; received < expected;)
            {
                var stream = await connection.AcceptAsync(deadline.Token).ConfigureAwait(false);
                if (stream is null)
                {
                    return null;
                }

                await stream.ReplyAsync(deadline.Token).ConfigureAwait(false);
                int? channel = stream.Headers.Get("streamtype") switch
                {
                    "stdin" => ExecSession.Stdin,
                    "stdout" => ExecSession.Stdout,
                    "stderr" => ExecSession.Stderr,
                    "error" => ExecSession.Error,
                    "resize" => ExecSession.Resize,
                    _ => null,
                };
                if (channel is not { } number)
                {
                    // Not counted, as the kubelet does not count it.
                    stream.DiscardInput();
                    continue;
                }

                if (number is not (ExecSession.Stdin or ExecSession.Resize))
                {
                    stream.DiscardInput();
                }

                channels._streams[number] = stream;
                received++;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (protocol == "channel.k8s.io" && channels._streams[ExecSession.Stdin] is { } input)
        {
            // v1 servers closed their (unused) side of stdin at once; clients of v1 expect it.
            await input.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
        }

        return channels;
    }

    public async Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (channel < _streams.Length && _streams[channel] is { LocalFinished: false } stream)
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task ReceiveAsync(Func<byte, ReadOnlyMemory<byte>, Task> onMessage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMessage);

        // Input and resizes come in on separate streams: both are read at once, and a handler
        // call at a time, as a WebSocket would give them.
        using var handling = new SemaphoreSlim(1, 1);
        async Task Handle(byte channel, ReadOnlyMemory<byte> data)
        {
            await handling.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await onMessage(channel, data).ConfigureAwait(false);
            }
            finally
            {
                handling.Release();
            }
        }

        var readers = new List<Task>();
        if (_streams[ExecSession.Stdin] is { } stdin)
        {
            readers.Add(ReadInputAsync(stdin, Handle, cancellationToken));
        }

        if (_streams[ExecSession.Resize] is { } resize)
        {
            readers.Add(ReadResizesAsync(resize, Handle, cancellationToken));
        }

        await Task.WhenAll(readers).ConfigureAwait(false);

        // What the client sends has ended; the session is over for it when the connection is.
        await _connection.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var stream in _streams)
            {
                if (stream is not null)
                {
                    await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await _connection.GoAwayAsync(SpdyFrames.GoAwayOk, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The client has gone already.
        }
    }

    public void Dispose()
    {
        // The connection belongs to the streaming server, which ends it after the session.
    }

    private static async Task ReadInputAsync(SpdyStream stdin, Func<byte, ReadOnlyMemory<byte>, Task> handle, CancellationToken cancellationToken)
    {
        while (await stdin.ReadAsync(cancellationToken).ConfigureAwait(false) is { } data)
        {
            await handle(ExecSession.Stdin, data).ConfigureAwait(false);
        }

        await handle(IStreamChannels.CloseSignal, new[] { ExecSession.Stdin }).ConfigureAwait(false);
    }

    private static async Task ReadResizesAsync(SpdyStream resize, Func<byte, ReadOnlyMemory<byte>, Task> handle, CancellationToken cancellationToken)
    {
        var pending = new List<byte>();
        while (await resize.ReadAsync(cancellationToken).ConfigureAwait(false) is { } data)
        {
            pending.AddRange(data.Span);
            while (TakeObject(pending) is { } json)
            {
                await handle(ExecSession.Resize, json).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Takes the first whole JSON object off <paramref name="pending"/>; null when none is complete yet.</summary>
    internal static byte[]? TakeObject(List<byte> pending)
    {
        var start = pending.IndexOf((byte)'{');
        if (start < 0)
        {
            pending.Clear();
            return null;
        }

        int depth = 0;
        var quoted = false;
        for (var i = start; i < pending.Count; i++)
        {
            var b = pending[i];
            if (quoted)
            {
                if (b == '\\')
                {
                    i++;
                }
                else if (b == '"')
                {
                    quoted = false;
                }
            }
            else if (b == '"')
            {
                quoted = true;
            }
            else if (b == '{')
            {
                depth++;
            }
            else if (b == '}' && --depth == 0)
            {
                var json = pending.GetRange(start, i - start + 1).ToArray();
                pending.RemoveRange(0, i + 1);
                return json;
            }
        }

        return null;
    }
}
