using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace CriO.Storage.Archive;

/// <summary>
/// Reads tar-split metadata (the uncompressed JSON lines <see cref="TarSplitWriter"/> or Go's
/// storage.NewJSONPacker wrote), one entry at a time, with the checks of Go's JSON unpacker:
/// an unknown type or a file name seen twice (after filepath.Clean) is an error.
/// </summary>
internal sealed class TarSplitReader : IDisposable
{
    /// <summary>storage.FileType: a tar entry whose content, if any, is read from disk by name.</summary>
    public const int FileType = 1;

    /// <summary>storage.SegmentType: raw tar bytes.</summary>
    public const int SegmentType = 2;

    private const int MaxLineBytes = 64 * 1024 * 1024;

    private readonly Stream _input;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
    private byte[] _payload = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private byte[] _name = new byte[1024];
    private int _start;
    private int _end;
    private bool _ended;
    private long _line;

    public TarSplitReader(Stream input)
    {
        _input = input;
    }

    public int Type { get; private set; }

    /// <summary>The entry's name as bytes: name_raw when present, else name (tar-split's Entry.GetNameBytes).</summary>
    public ReadOnlySpan<byte> Name => _name.AsSpan(0, NameLength);

    public long Size { get; private set; }

    /// <summary>A segment's bytes, or a file entry's checksum (empty when null).</summary>
    public ReadOnlySpan<byte> Payload => _payload.AsSpan(0, PayloadLength);

    public ReadOnlyMemory<byte> PayloadMemory => _payload.AsMemory(0, PayloadLength);

    private int NameLength { get; set; }

    private int PayloadLength { get; set; }

    /// <summary>Moves to the next entry; false at the end.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline < 0 && !_ended)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var length = newline < 0 ? _end - _start : newline;
            var lineStart = _start;
            _start += newline < 0 ? length : length + 1;
            _line++;
            if (length == 0 || _buffer.AsSpan(lineStart, length).Trim(" \t\r"u8).IsEmpty)
            {
                if (newline < 0)
                {
                    return false;
                }

                continue;
            }

            Parse(_buffer.AsSpan(lineStart, length));
            return true;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_payload);
        _buffer = [];
        _payload = [];
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                throw new InvalidDataException($"tar-split line {_line + 1} is longer than {MaxLineBytes} bytes");
            }

            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var n = await _input.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            _ended = true;
        }

        _end += n;
    }

    private void Parse(ReadOnlySpan<byte> line)
    {
        Type = 0;
        Size = 0;
        NameLength = 0;
        PayloadLength = 0;
        var rawName = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid("not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    Type = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    if (!rawName && reader.TokenType == JsonTokenType.String)
                    {
                        EnsureName(reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length);
                        NameLength = reader.CopyString(_name);
                    }
                }
                else if (reader.ValueTextEquals("name_raw"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        var bytes = reader.GetBytesFromBase64();
                        if (bytes.Length > 0)
                        {
                            EnsureName(bytes.Length);
                            bytes.CopyTo(_name, 0);
                            NameLength = bytes.Length;
                            rawName = true;
                        }
                    }
                }
                else if (reader.ValueTextEquals("size"u8))
                {
                    reader.Read();
                    Size = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("payload"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        DecodePayload(ref reader);
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Invalid(e.Message, e);
        }

        if (Type == FileType)
        {
            if (!_seen.Add(Encoding.Latin1.GetString(LayerPath.GoClean(Name))))
            {
                throw Invalid($"duplicate file entry '{Encoding.UTF8.GetString(Name)}'");
            }
        }
        else if (Type != SegmentType)
        {
            throw Invalid($"unknown entry type {Type}");
        }
    }

    private void DecodePayload(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            var bytes = reader.GetBytesFromBase64();
            EnsurePayload(bytes.Length);
            bytes.CopyTo(_payload, 0);
            PayloadLength = bytes.Length;
            return;
        }

        var encoded = reader.ValueSpan;
        EnsurePayload(Base64.GetMaxDecodedFromUtf8Length(encoded.Length));
        if (Base64.DecodeFromUtf8(encoded, _payload, out _, out var written) != OperationStatus.Done)
        {
            throw Invalid("payload is not base64");
        }

        PayloadLength = written;
    }

    private void EnsureName(int length)
    {
        if (_name.Length < length)
        {
            _name = new byte[length];
        }
    }

    private void EnsurePayload(int length)
    {
        if (_payload.Length < length)
        {
            ArrayPool<byte>.Shared.Return(_payload);
            _payload = ArrayPool<byte>.Shared.Rent(length);
        }
    }

    private InvalidDataException Invalid(string message, Exception? inner = null) => new($"tar-split line {_line}: {message}", inner);
}
