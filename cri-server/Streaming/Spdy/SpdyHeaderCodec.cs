using System.Buffers.Binary;
using System.Text;
using ICSharpCode.SharpZipLib;
using ICSharpCode.SharpZipLib.Zip.Compression;

namespace CriO.Server.Streaming.Spdy;

/// <summary>
/// SPDY/3 header blocks: a count of name/value pairs, then each name and value with a 4-byte
/// big-endian length (several values of one name joined by NUL), all of it in zlib with the
/// SPDY dictionary. Each direction of a connection is one zlib stream that goes on across
/// frames, so a connection keeps one codec and every header block goes through it in frame
/// order, even one whose stream is refused. Decoding (the reader) and encoding (a writer,
/// under the connection's write lock) may run at once.
/// </summary>
/// <remarks>
/// What we send ends each header block as zlib's sync flush does: the block's bytes in stored
/// (uncompressed) blocks, then an empty stored block. Go's SPDY framer, which the kubelet's
/// clients use, inflates a frame's block from that frame's bytes alone and fails the whole
/// connection if its inflater reads one byte more; Go's inflater hands out a deflate block's
/// output only once it has read the header of the block after it, so that next header must be
/// in the same frame. SharpZipLib's flush ends with empty fixed-Huffman blocks instead, after
/// which Go reads on into the next frame: every second stream of a session broke that way. The
/// blocks we send are a few short headers, so leaving them uncompressed costs nothing.
/// </remarks>
internal sealed class SpdyHeaderCodec
{
    /// <summary>The largest decompressed header block taken (the Kubernetes streams carry a few short headers).</summary>
    public const int MaxBlockSize = 256 * 1024;

    // zlib's stream header: deflate with a 32 KiB window (0x78), then FDICT set and the check
    // bits that make the pair a multiple of 31 (RFC 1950, 2.2), then the dictionary's Adler-32.
    private const byte ZlibMethod = 0x78;
    private const byte ZlibFlagsWithDictionary = 0x3f;
    private const int MaxStoredBlock = ushort.MaxValue;

    private readonly Inflater _inflater = new();
    private readonly byte[] _inflated = new byte[4096];
    private bool _streamStarted;

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

    /// <summary>The block as zlib stored blocks and a sync flush, after the stream header when it is the stream's first.</summary>
    private byte[] Deflate(byte[] block)
    {
        using var compressed = new MemoryStream(block.Length + 16);
        if (!_streamStarted)
        {
            compressed.WriteByte(ZlibMethod);
            compressed.WriteByte(ZlibFlagsWithDictionary);
            Span<byte> dictionaryId = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(dictionaryId, SpdyHeaderDictionary.Adler32);
            compressed.Write(dictionaryId);
            _streamStarted = true;
        }

        Span<byte> head = stackalloc byte[5];
        for (var at = 0; at < block.Length; at += MaxStoredBlock)
        {
            var length = (ushort)Math.Min(MaxStoredBlock, block.Length - at);

            // Not the final block (the stream goes on), type 00 (stored): three zero bits, and
            // the rest of that byte is padding; then LEN and its one's complement, little-endian.
            head[0] = 0;
            BinaryPrimitives.WriteUInt16LittleEndian(head[1..], length);
            BinaryPrimitives.WriteUInt16LittleEndian(head[3..], (ushort)~length);
            compressed.Write(head);
            compressed.Write(block, at, length);
        }

        // The empty stored block that closes a sync flush: 0 bits of header and padding, LEN 0, ~0.
        compressed.Write([0x00, 0x00, 0x00, 0xff, 0xff]);
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
