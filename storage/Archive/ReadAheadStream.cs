using System.Buffers;
using System.Threading.Channels;

namespace CriO.Storage.Archive;

/// <summary>
/// Reads another stream ahead on a background task, a few chunks deep, so that decompressing
/// and hashing a layer overlap with writing its files: the two halves each take about as long,
/// and a node has more than one core. Only <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>
/// is supported; an error from the inner stream surfaces from the read that reaches it.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    private readonly Channel<(byte[] Buffer, int Length)> _chunks =
        Channel.CreateBounded<(byte[] Buffer, int Length)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;
    private byte[]? _current;
    private int _position;
    private int _length;
    private bool _disposed;

    public ReadAheadStream(Stream inner, int chunkSize, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        _producer = Task.Run(() => ProduceAsync(inner, chunkSize, token), CancellationToken.None);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Completes when the inner stream was read to its end (after the last chunk was taken).</summary>
    public Task Completion => _producer;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current is null || _position == _length)
        {
            if (_current is not null)
            {
                ArrayPool<byte>.Shared.Return(_current);
                _current = null;
            }

            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            if (_chunks.Reader.TryRead(out var chunk))
            {
                (_current, _position, _length) = (chunk.Buffer, 0, chunk.Length);
            }
        }

        var n = Math.Min(buffer.Length, _length - _position);
        _current.AsSpan(_position, n).CopyTo(buffer.Span);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _producer.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // Stopped early because the reader gave up; its own error is the one that matters.
        }
        catch (Exception)
        {
            // Already reported to the reader, or no one is reading any more.
        }

        while (_chunks.Reader.TryRead(out var chunk))
        {
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }

        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
        }

        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    private async Task ProduceAsync(Stream inner, int chunkSize, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
                var length = 0;
                int n;
                while (length < chunkSize && (n = await inner.ReadAsync(buffer.AsMemory(length, chunkSize - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += n;
                }

                if (length == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                await _chunks.Writer.WriteAsync((buffer, length), cancellationToken).ConfigureAwait(false);
                if (length < chunkSize)
                {
                    break;
                }
            }

            _chunks.Writer.Complete();
        }
        catch (Exception e)
        {
            _chunks.Writer.Complete(e);
            throw;
        }
    }
}
