using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

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
internal sealed class TarSplitWriter : IAsyncDisposable
{
    private const int FlushThreshold = 128 * 1024;

    private readonly GZipStream _gzip;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold + (64 * 1024));
    private readonly Utf8JsonWriter _json;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private long _position;
    private bool _completed;

    /// <summary>Writes gzip (fastest level, as containers/storage's BestSpeed) into <paramref name="output"/>, leaving it open.</summary>
    public TarSplitWriter(Stream output)
    {
        _gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
        _json = new Utf8JsonWriter(_buffer);
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

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount > 0)
        {
            await _gzip.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            _buffer.ResetWrittenCount();
        }
    }

    /// <summary>Writes what is buffered and the gzip trailer; the output stream stays open.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gzip.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _gzip.DisposeAsync().ConfigureAwait(false);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync().ConfigureAwait(false);
        if (!_completed)
        {
            await _gzip.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void EndLine()
    {
        _json.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
    }
}
