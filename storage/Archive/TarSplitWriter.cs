using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using System.Threading.Channels;

namespace CriO.Storage.Archive;

/// <summary>
/// Writes tar-split metadata (github.com/vbatts/tar-split, tar/storage.NewJSONPacker) into a
/// gzip stream, as containers/storage stores it in overlay-layers/ID.tar-split.gz: one JSON
/// object per line, positions counting from 0,
/// <code>
/// {"type":2,"payload":"&lt;base64 raw tar bytes&gt;","position":0}
/// {"type":1,"name":"etc/passwd","size":1234,"payload":"&lt;base64 CRC-64/ISO, 8 bytes big-endian&gt;","position":1}
/// </code>
/// Type 1 is a file entry (storage.FileType), type 2 a raw segment (storage.SegmentType).
/// Every tar entry gets a file entry, whatever its type; "size" (the header's size) is left
/// out when 0 and the payload is null then; a name that is not valid UTF-8, or holds U+FFFD,
/// goes base64 in "name_raw" instead of "name" (entry.SetName). Like tar-split's packer, two
/// file entries with the same filepath.Clean'ed name are refused: its unpacker refuses to read
/// them, and reassembly could not find both contents anyway.
/// </summary>
/// <remarks>
/// Lines are built on the caller's thread and compressed on a background task, a few buffers
/// behind: the record is about a third of the tar's size, and compressing it would otherwise
/// hold up applying the layer.
/// </remarks>
internal sealed class TarSplitWriter : IAsyncDisposable
{
    private const int FlushThreshold = 128 * 1024;

    private readonly GZipStream _gzip;
    private readonly PooledBufferWriter _buffer = new(FlushThreshold + (64 * 1024));
    private readonly Utf8JsonWriter _json;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Channel<(byte[] Buffer, int Length)> _pending =
        Channel.CreateBounded<(byte[] Buffer, int Length)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _compressor;
    private long _position;
    private bool _completed;

    /// <summary>Writes gzip (fastest level, as containers/storage's BestSpeed) into <paramref name="output"/>, leaving it open.</summary>
    public TarSplitWriter(Stream output)
    {
        _gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
        _json = new Utf8JsonWriter(_buffer);
        _compressor = Task.Run(() => CompressAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Whether enough is buffered to be worth <see cref="FlushAsync"/>.</summary>
    public bool ShouldFlush => _buffer.WrittenCount >= FlushThreshold;

    /// <summary>A raw segment; tar-split writes none for an empty one.</summary>
    public void AddSegment(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return;
        }

        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteNumber("type"u8, 2);
        _json.WriteBase64String("payload"u8, payload);
        _json.WriteNumber("position"u8, _position++);
        _json.WriteEndObject();
        EndLine();
    }

    /// <summary>
    /// The file entry for <paramref name="entry"/>, with its name and declared size;
    /// <paramref name="crc"/> is the CRC-64 of its content, used when the size is positive.
    /// </summary>
    public void AddFile(TarEntry entry, ulong crc)
    {
        var name = entry.Name;
        var size = entry.Size;
        if (!_seen.Add(Encoding.Latin1.GetString(LayerPath.GoClean(name))))
        {
            throw new LayerFormatException(
                "the layer has more than one entry for this path, which tar-split (and so containers/storage) cannot record", entry.DisplayName);
        }

        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteNumber("type"u8, 1);
        if (!name.IsEmpty)
        {
            if (Utf8.IsValid(name) && name.IndexOf("\uFFFD"u8) < 0)
            {
                _json.WriteString("name"u8, name);
            }
            else
            {
                _json.WriteBase64String("name_raw"u8, name);
            }
        }

        if (size != 0)
        {
            _json.WriteNumber("size"u8, size);
        }

        if (size > 0)
        {
            Span<byte> checksum = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(checksum, crc);
            _json.WriteBase64String("payload"u8, checksum);
        }
        else
        {
            _json.WriteNull("payload"u8);
        }

        _json.WriteNumber("position"u8, _position++);
        _json.WriteEndObject();
        EndLine();
    }

    /// <summary>Hands what is buffered to the compressing task (waiting only if it is several buffers behind).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount > 0)
        {
            var filled = _buffer.Detach();
            try
            {
                await _pending.Writer.WriteAsync(filled, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                ArrayPool<byte>.Shared.Return(filled.Buffer);
                await _compressor.ConfigureAwait(false); // throws the compressor's own error
                throw;
            }
        }
    }

    /// <summary>Writes what is buffered and the gzip trailer; the output stream stays open.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        _pending.Writer.Complete();
        await _compressor.ConfigureAwait(false);
        await _gzip.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gzip.DisposeAsync().ConfigureAwait(false);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            _pending.Writer.TryComplete();
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _compressor.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The layer failed already; that error is the one the caller sees.
            }

            while (_pending.Reader.TryRead(out var chunk))
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }

            await _gzip.DisposeAsync().ConfigureAwait(false);
        }

        await _json.DisposeAsync().ConfigureAwait(false);
        _buffer.Dispose();
        _stop.Dispose();
    }

    private async Task CompressAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (buffer, length) in _pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await _gzip.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e)
        {
            _pending.Writer.TryComplete(e);
            throw;
        }
    }

    private void EndLine()
    {
        _json.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
    }
}
