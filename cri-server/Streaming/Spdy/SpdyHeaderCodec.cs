using System.Buffers.Binary;
using System.Text;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace CriO.Server.Streaming.Spdy;

/// <summary>
/// SPDY/3 header blocks: a count of name/value pairs, then each name and value with a 4-byte
/// big-endian length (several values of one name joined by NUL), all of it compressed with
/// zlib and the SPDY dictionary. Each direction of a connection is one zlib stream that goes
/// on across frames, so a connection keeps one codec and every header block goes through it
/// in frame order, even one whose stream is refused. Each block we write ends with a zlib
/// flush, so the peer can decode it whole without waiting for the next one. Decoding (the
/// reader) and encoding (a writer, under the connection's write lock) may run at once.
/// </summary>
internal sealed class SpdyHeaderCodec
{
    /// <summary>The largest decompressed header block taken (the Kubernetes streams carry a few short headers).</summary>
    public const int MaxBlockSize = 256 * 1024;

    private readonly Inflater _inflater = new();
    private readonly Deflater _deflater = new(Deflater.DEFAULT_COMPRESSION);
    private readonly byte[] _inflated = new byte[4096];
    private readonly byte[] _deflated = new byte[4096];

    public SpdyHeaderCodec() => _deflater.SetDictionary(SpdyHeaderDictionary.Bytes);

    /// <summary>Decodes one compressed header block; names come back lowercase.</summary>
    /// <exception cref="InvalidDataException">The block is not valid zlib data or not a valid name/value block.</exception>
    public SpdyHeaders Decode(ReadOnlySpan<byte> compressed) => Parse(Inflate(compressed));

    /// <summary>Encodes and compresses <paramref name="headers"/> (names must be lowercase).</summary>
    public byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        using var block = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, headers.Count);
        block.Write(number);
        foreach (var (name, value) in headers)
        {
            foreach (var text in new[] { name, value })
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt32BigEndian(number, bytes.Length);
                block.Write(number);
                block.Write(bytes);
            }
        }

        return Deflate(block.ToArray());
    }

    private byte[] Deflate(byte[] block)
    {
        using var compressed = new MemoryStream();
        _deflater.SetInput(block);
        _deflater.Flush();
        while (true)
        {
            var count = _deflater.Deflate(_deflated);
            if (count <= 0)
            {
                break;
            }

            compressed.Write(_deflated, 0, count);
        }

        if (!_deflater.IsNeedingInput)
        {
            throw new InvalidOperationException("the header block was not compressed whole");
        }

        return compressed.ToArray();
    }

    private byte[] Inflate(ReadOnlySpan<byte> compressed)
    {
        using var block = new MemoryStream();
        try
        {
            _inflater.SetInput(compressed.ToArray());
            while (true)
            {
                var count = _inflater.Inflate(_inflated);
                if (count > 0)
                {
                    block.Write(_inflated, 0, count);
                    if (block.Length > MaxBlockSize)
                    {
                        throw new InvalidDataException($"a header block is larger than {MaxBlockSize} bytes");
                    }
                }
                else if (_inflater.IsNeedingDictionary)
                {
                    _inflater.SetDictionary(SpdyHeaderDictionary.Bytes);
                }
                else if (_inflater.IsNeedingInput || _inflater.IsFinished)
                {
                    break;
                }
            }
        }
        catch (SharpZipBaseException e)
        {
            throw new InvalidDataException($"a header block does not decompress: {e.Message}", e);
        }

        return block.ToArray();
    }

    private static SpdyHeaders Parse(byte[] block)
    {
        var headers = new SpdyHeaders();
        var at = 0;
        var count = ReadLength(block, ref at);
        for (var i = 0; i < count; i++)
        {
            var name = ReadText(block, ref at);
            var value = ReadText(block, ref at);
            if (name.Length == 0)
            {
                throw new InvalidDataException("a header has an empty name");
            }

            foreach (var each in value.Split('\0'))
            {
                headers.Add(name.ToLowerInvariant(), each);
            }
        }

        return headers;
    }

    private static int ReadLength(byte[] block, ref int at)
    {
        if (block.Length - at < 4)
        {
            throw new InvalidDataException("a header block ends inside a length");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(block.AsSpan(at));
        at += 4;
        if (length < 0 || length > block.Length - at)
        {
            throw new InvalidDataException("a header block has a length beyond its end");
        }

        return length;
    }

    private static string ReadText(byte[] block, ref int at)
    {
        var length = ReadLength(block, ref at);
        var text = Encoding.UTF8.GetString(block, at, length);
        at += length;
        return text;
    }
}
