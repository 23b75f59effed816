using System.Buffers;
using System.IO.Pipelines;

namespace CriO.Server.Http2;

/// <summary>
/// Copies a client's HTTP/2 byte stream to Kestrel, replacing an invalid <c>:authority</c> (or
/// <c>host</c>) with <c>localhost</c>.
/// </summary>
/// <remarks>
/// <para>
/// Go gRPC clients dialing a unix socket (kubelet and crictl up to 1.30, among others) send the
/// socket path as <c>:authority</c>, and Kestrel resets such streams with PROTOCOL_ERROR
/// whatever its options (dotnet/aspnetcore#47043). This sits between the socket and Kestrel's
/// HTTP/2 parser.
/// </para>
/// <para>
/// Every frame passes through untouched, streamed as it arrives, except header blocks (HEADERS
/// plus CONTINUATION frames up to END_HEADERS). Each block is decoded with the client's HPACK
/// context and re-encoded using only literals without indexing and static-table references.
/// Every block is re-encoded, not only the ones that change: the client's block may refer to
/// entries of its dynamic table that Kestrel never saw, because an earlier block that added
/// them was rewritten. With nothing but non-indexing representations, Kestrel's dynamic table
/// stays empty and its decoder stays consistent whatever the client's table holds.
/// </para>
/// <para>
/// A stream that does not start with the HTTP/2 connection preface (HTTP/1.1, TLS) passes
/// through untouched, for Kestrel to handle or refuse.
/// </para>
/// </remarks>
internal sealed class Http2AuthorityRewriter
{
    /// <summary>Bound on one client header block, padding included, before decoding.</summary>
    public const int MaxHeaderBlockSize = 256 * 1024;

    /// <summary>
    /// Largest frame payload we send: the minimum SETTINGS_MAX_FRAME_SIZE, which every HTTP/2
    /// receiver accepts whatever it advertised (RFC 9113 §4.2).
    /// </summary>
    public const int MaxOutputFramePayload = 16_384;

    private const int PriorityFieldsLength = 5;

    // Buffers larger than this after one huge block are dropped rather than kept for the connection's life.
    private const int RetainedBufferSize = 32 * 1024;

    private static readonly byte[] s_localhost = "localhost"u8.ToArray();

    private readonly HpackDecoder _decoder;
    private readonly List<HpackHeaderField> _fields = [];
    private readonly byte[] _priorityFields = new byte[PriorityFieldsLength];
    private ArrayBufferWriter<byte> _clientBlock = new();
    private ArrayBufferWriter<byte> _rewrittenBlock = new();
    private Mode _mode = Mode.Preface;

    // Payload octets of the frame being passed through that have not arrived yet.
    private long _passThroughRemaining;

    // The HEADERS frame that opened the block being gathered, while CONTINUATION frames are due.
    private Http2FrameHeader? _openBlock;

    private Http2AuthorityRewriter(int maxDecoderTableSize)
    {
        _decoder = new HpackDecoder(maxDecoderTableSize);
    }

    private enum Mode
    {
        Preface,
        Frames,
        PassThrough,
    }

    private static ReadOnlySpan<byte> ConnectionPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private static ReadOnlySpan<byte> AuthorityName => ":authority"u8;

    private static ReadOnlySpan<byte> HostName => "host"u8;

    /// <summary>
    /// Copies <paramref name="clientInput"/> to <paramref name="toKestrel"/> until the client
    /// closes, Kestrel stops reading, the stream breaks the protocol or
    /// <paramref name="cancellationToken"/> fires, then completes both. It never faults: a
    /// failure completes <paramref name="toKestrel"/> with the exception, so Kestrel's next read
    /// throws and it aborts the connection.
    /// </summary>
    /// <param name="clientInput">Bytes from the client's socket; completed on return.</param>
    /// <param name="toKestrel">Where Kestrel reads the rewritten stream; completed on return.</param>
    /// <param name="maxDecoderTableSize">
    /// SETTINGS_HEADER_TABLE_SIZE that Kestrel advertises (its Http2 HeaderTableSize limit): the
    /// client encodes for that size. The client's own SETTINGS_HEADER_TABLE_SIZE concerns the
    /// responses it decodes and does not matter here.
    /// </param>
    /// <param name="cancellationToken">Stops the copy, as when Kestrel is done with the connection.</param>
    public static async Task RunAsync(
        PipeReader clientInput,
        PipeWriter toKestrel,
        int maxDecoderTableSize,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientInput);
        ArgumentNullException.ThrowIfNull(toKestrel);

        var rewriter = new Http2AuthorityRewriter(maxDecoderTableSize);
        Exception? failure = null;
        try
        {
            while (true)
            {
                ReadResult result = await clientInput.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                SequencePosition consumed = rewriter.Process(buffer, result.IsCompleted, toKestrel, out bool wrote);
                clientInput.AdvanceTo(consumed, buffer.End);

                // Flush what each read produced at once, so the rewriter adds no latency.
                if (wrote)
                {
                    FlushResult flush = await toKestrel.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        break;
                    }
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // Any failure, protocol or I/O, is handed to Kestrel through the pipe: that is where
            // it must surface, as the end of the connection.
            failure = ex;
        }

        await clientInput.CompleteAsync().ConfigureAwait(false);
        await toKestrel.CompleteAsync(failure).ConfigureAwait(false);
    }

    // Forwards or rewrites as much of buffer as forms whole units, and returns where it stopped.
    private SequencePosition Process(ReadOnlySequence<byte> buffer, bool isFinal, PipeWriter output, out bool wrote)
    {
        var reader = new SequenceReader<byte>(buffer);
        wrote = false;
        while (true)
        {
            switch (_mode)
            {
                case Mode.Preface:
                    if (!StartsLikePreface(reader.UnreadSequence))
                    {
                        _mode = Mode.PassThrough;
                    }
                    else if (reader.Remaining >= ConnectionPreface.Length)
                    {
                        Forward(reader.UnreadSequence.Slice(0, ConnectionPreface.Length), output);
                        reader.Advance(ConnectionPreface.Length);
                        wrote = true;
                        _mode = Mode.Frames;
                    }
                    else if (isFinal)
                    {
                        _mode = Mode.PassThrough;
                    }
                    else
                    {
                        return reader.Position;
                    }

                    break;

                case Mode.PassThrough:
                    if (reader.Remaining > 0)
                    {
                        Forward(reader.UnreadSequence, output);
                        reader.AdvanceToEnd();
                        wrote = true;
                    }

                    return reader.Position;

                default:
                    if (!ProcessFrame(ref reader, output))
                    {
                        return reader.Position;
                    }

                    wrote = true;
                    break;
            }
        }
    }

    // Handles one frame, or the next part of a frame being passed through; false when more input is needed.
    private bool ProcessFrame(ref SequenceReader<byte> reader, PipeWriter output)
    {
        if (_passThroughRemaining > 0)
        {
            long available = Math.Min(_passThroughRemaining, reader.Remaining);
            if (available == 0)
            {
                return false;
            }

            Forward(reader.UnreadSequence.Slice(0, available), output);
            reader.Advance(available);
            _passThroughRemaining -= available;
            return true;
        }

        SequenceReader<byte> peek = reader;
        if (!Http2FrameHeader.TryRead(ref peek, out Http2FrameHeader header))
        {
            return false;
        }

        bool isHeaderBlock = _openBlock is not null || header.Type == Http2FrameHeader.TypeHeaders;
        if (!isHeaderBlock)
        {
            // Passed on octet for octet, header included, payload streamed as it arrives.
            Forward(reader.UnreadSequence.Slice(0, Http2FrameHeader.Size), output);
            reader.Advance(Http2FrameHeader.Size);
            _passThroughRemaining = header.Length;
            return true;
        }

        CheckHeaderBlockFrame(header);
        if (peek.Remaining < header.Length)
        {
            return false;
        }

        ReadOnlySequence<byte> payload = peek.UnreadSequence.Slice(0, header.Length);
        reader.Advance(Http2FrameHeader.Size + header.Length);
        if (header.Type == Http2FrameHeader.TypeHeaders)
        {
            StartBlock(header, payload);
        }
        else
        {
            Append(payload);
        }

        if (header.HasFlag(Http2FrameHeader.FlagEndHeaders))
        {
            RewriteBlock(output);
        }

        return true;
    }

    // The frame-level rules of RFC 9113 §6.2 and §6.10 that decoding depends on; Kestrel would
    // refuse the same frames, but they cannot be passed on once the block is being rewritten.
    private void CheckHeaderBlockFrame(Http2FrameHeader header)
    {
        if (_openBlock is { } open)
        {
            if (header.Type != Http2FrameHeader.TypeContinuation || header.StreamId != open.StreamId)
            {
                throw new InvalidDataException(
                    $"Expected CONTINUATION on stream {open.StreamId}, got frame type {header.Type} on stream {header.StreamId}.");
            }
        }
        else if (header.StreamId == 0)
        {
            throw new InvalidDataException("HEADERS frame on stream 0.");
        }

        if (header.Length > MaxHeaderBlockSize - _clientBlock.WrittenCount)
        {
            throw new InvalidDataException($"Header block exceeds {MaxHeaderBlockSize} bytes.");
        }
    }

    private void StartBlock(Http2FrameHeader header, ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        byte padLength = 0;
        if (header.HasFlag(Http2FrameHeader.FlagPadded) && !reader.TryRead(out padLength))
        {
            throw new InvalidDataException("PADDED HEADERS frame has no pad length.");
        }

        if (header.HasFlag(Http2FrameHeader.FlagPriority))
        {
            if (!reader.TryCopyTo(_priorityFields))
            {
                throw new InvalidDataException("PRIORITY HEADERS frame is too short for its priority fields.");
            }

            reader.Advance(PriorityFieldsLength);
        }

        if (padLength > reader.Remaining)
        {
            throw new InvalidDataException("HEADERS padding is longer than the frame payload.");
        }

        Append(reader.UnreadSequence.Slice(0, reader.Remaining - padLength));
        _openBlock = header;
    }

    private void Append(ReadOnlySequence<byte> fragment)
    {
        foreach (ReadOnlyMemory<byte> segment in fragment)
        {
            _clientBlock.Write(segment.Span);
        }
    }

    private void RewriteBlock(PipeWriter output)
    {
        Http2FrameHeader opening = _openBlock!.Value;
        _fields.Clear();
        _decoder.Decode(_clientBlock.WrittenSpan, _fields);

        for (int i = 0; i < _fields.Count; i++)
        {
            HpackHeaderField field = _fields[i];
            if ((field.Name.AsSpan().SequenceEqual(AuthorityName) || field.Name.AsSpan().SequenceEqual(HostName))
                && !HostAuthority.IsValid(field.Value))
            {
                _fields[i] = field with { Value = s_localhost };
            }
        }

        foreach (HpackHeaderField field in _fields)
        {
            HpackEncoder.EncodeLiteralWithoutIndexing(field, _rewrittenBlock);
        }

        WriteHeaderFrames(opening, _rewrittenBlock.WrittenSpan, output);

        _openBlock = null;
        _fields.Clear();
        Reset(ref _clientBlock);
        Reset(ref _rewrittenBlock);
    }

    // HEADERS keeps END_STREAM and PRIORITY with its fields, drops PADDED; CONTINUATION frames
    // follow when the block outgrows one frame, and the last frame carries END_HEADERS.
    private void WriteHeaderFrames(Http2FrameHeader opening, ReadOnlySpan<byte> block, PipeWriter output)
    {
        bool hasPriority = opening.HasFlag(Http2FrameHeader.FlagPriority);
        int prefixLength = hasPriority ? PriorityFieldsLength : 0;
        int fragmentLength = Math.Min(block.Length, MaxOutputFramePayload - prefixLength);
        byte flags = (byte)(opening.Flags & (Http2FrameHeader.FlagEndStream | Http2FrameHeader.FlagPriority));
        if (fragmentLength == block.Length)
        {
            flags |= Http2FrameHeader.FlagEndHeaders;
        }

        WriteFrameHeader(new Http2FrameHeader(prefixLength + fragmentLength, Http2FrameHeader.TypeHeaders, flags, opening.StreamId), output);
        if (hasPriority)
        {
            output.Write(_priorityFields);
        }

        output.Write(block[..fragmentLength]);
        block = block[fragmentLength..];

        while (!block.IsEmpty)
        {
            fragmentLength = Math.Min(block.Length, MaxOutputFramePayload);
            flags = fragmentLength == block.Length ? Http2FrameHeader.FlagEndHeaders : (byte)0;
            WriteFrameHeader(new Http2FrameHeader(fragmentLength, Http2FrameHeader.TypeContinuation, flags, opening.StreamId), output);
            output.Write(block[..fragmentLength]);
            block = block[fragmentLength..];
        }
    }

    private static void WriteFrameHeader(Http2FrameHeader header, PipeWriter output)
    {
        Span<byte> octets = stackalloc byte[Http2FrameHeader.Size];
        header.WriteTo(octets);
        output.Write(octets);
    }

    private static void Forward(ReadOnlySequence<byte> data, PipeWriter output)
    {
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            output.Write(segment.Span);
        }
    }

    // Compares what has arrived so far, so a short HTTP/1.1 request is not held back waiting for 24 octets.
    private static bool StartsLikePreface(ReadOnlySequence<byte> data)
    {
        Span<byte> start = stackalloc byte[ConnectionPreface.Length];
        int length = (int)Math.Min(data.Length, ConnectionPreface.Length);
        data.Slice(0, length).CopyTo(start);
        return start[..length].SequenceEqual(ConnectionPreface[..length]);
    }

    private static void Reset(ref ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > RetainedBufferSize)
        {
            buffer = new ArrayBufferWriter<byte>();
        }
        else
        {
            buffer.ResetWrittenCount();
        }
    }
}
