using System.Buffers;

namespace CriO.Server.Http2;

/// <summary>
/// Decodes complete HPACK header blocks (RFC 7541 §6) and keeps the decoding context, the
/// dynamic table, across blocks exactly as the peer's encoder expects it.
/// </summary>
internal sealed class HpackDecoder
{
    /// <summary>Default bound on a decoded header list: Kestrel's own default is 32 KiB.</summary>
    public const int DefaultMaxHeaderListSize = 64 * 1024;

    private readonly HpackDynamicTable _table;
    private readonly int _maxAllowedTableSize;
    private readonly int _maxHeaderListSize;
    private readonly ArrayBufferWriter<byte> _huffmanBuffer = new();

    /// <param name="maxAllowedTableSize">
    /// The SETTINGS_HEADER_TABLE_SIZE this side advertised: the table starts at that size and the
    /// peer may lower it, or raise it back up to it, with size updates.
    /// </param>
    /// <param name="maxHeaderListSize">
    /// Bound on one block's decoded fields, counted as name + value + 32 each. Indexed fields are
    /// one byte on the wire but can stand for kilobytes, so the input size alone bounds nothing.
    /// </param>
    public HpackDecoder(int maxAllowedTableSize, int maxHeaderListSize = DefaultMaxHeaderListSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAllowedTableSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHeaderListSize);
        _maxAllowedTableSize = maxAllowedTableSize;
        _maxHeaderListSize = maxHeaderListSize;
        _table = new HpackDynamicTable(maxAllowedTableSize);
    }

    /// <summary>The decoding context, for tests and diagnostics.</summary>
    public HpackDynamicTable DynamicTable => _table;

    /// <summary>Appends the fields of one complete header block to <paramref name="output"/>.</summary>
    /// <exception cref="HpackDecodingException">The block is malformed or too large.</exception>
    public void Decode(ReadOnlySpan<byte> headerBlock, List<HpackHeaderField> output)
    {
        ArgumentNullException.ThrowIfNull(output);

        var reader = new BlockReader(headerBlock);
        bool fieldSeen = false;
        long listSize = 0;
        while (!reader.End)
        {
            byte first = reader.Peek();
            HpackHeaderField field;
            if ((first & 0x80) != 0)
            {
                // §6.1 Indexed Header Field: 1xxxxxxx.
                field = GetIndexed(reader.ReadInteger(7));
            }
            else if ((first & 0x40) != 0)
            {
                // §6.2.1 Literal with Incremental Indexing: 01xxxxxx.
                field = ReadLiteral(ref reader, prefixBits: 6, neverIndexed: false);
                _table.Add(field);
            }
            else if ((first & 0x20) != 0)
            {
                // §6.3 Dynamic Table Size Update: 001xxxxx. §4.2: only at the start of a block.
                if (fieldSeen)
                {
                    throw new HpackDecodingException("Dynamic table size update after the first header field of a block.");
                }

                int newSize = reader.ReadInteger(5);
                if (newSize > _maxAllowedTableSize)
                {
                    throw new HpackDecodingException(
                        $"Dynamic table size update to {newSize} exceeds the advertised maximum {_maxAllowedTableSize}.");
                }

                _table.SetMaxSize(newSize);
                continue;
            }
            else
            {
                // §6.2.2 Literal without Indexing: 0000xxxx; §6.2.3 Never Indexed: 0001xxxx.
                field = ReadLiteral(ref reader, prefixBits: 4, neverIndexed: (first & 0x10) != 0);
            }

            fieldSeen = true;
            listSize += field.Size;
            if (listSize > _maxHeaderListSize)
            {
                throw new HpackDecodingException($"Decoded header list exceeds {_maxHeaderListSize} bytes.");
            }

            output.Add(field);
        }
    }

    private HpackHeaderField GetIndexed(int index)
    {
        if (index == 0)
        {
            throw new HpackDecodingException("Header field index 0 is not allowed.");
        }

        if (index <= HpackStaticTable.Count)
        {
            return HpackStaticTable.Get(index);
        }

        int dynamicIndex = index - HpackStaticTable.Count - 1;
        if (dynamicIndex >= _table.Count)
        {
            throw new HpackDecodingException(
                $"Header field index {index} is beyond the {_table.Count} dynamic table entries.");
        }

        return _table[dynamicIndex];
    }

    private HpackHeaderField ReadLiteral(ref BlockReader reader, int prefixBits, bool neverIndexed)
    {
        int nameIndex = reader.ReadInteger(prefixBits);
        byte[] name = nameIndex == 0 ? ReadString(ref reader) : GetIndexed(nameIndex).Name;
        byte[] value = ReadString(ref reader);
        return new HpackHeaderField(name, value, neverIndexed);
    }

    // §5.2: H bit, 7-bit prefix length, then the octets, plain or Huffman coded.
    private byte[] ReadString(ref BlockReader reader)
    {
        bool huffman = (reader.Peek() & 0x80) != 0;
        int length = reader.ReadInteger(7);
        ReadOnlySpan<byte> data = reader.ReadBytes(length);
        if (!huffman)
        {
            return data.ToArray();
        }

        _huffmanBuffer.ResetWrittenCount();
        HpackHuffman.Decode(data, _huffmanBuffer);
        return _huffmanBuffer.WrittenSpan.ToArray();
    }

    private ref struct BlockReader(ReadOnlySpan<byte> block)
    {
        // §5.1 allows any length; five continuation octets already exceed int, so more is an attack.
        private const int MaxContinuationOctets = 5;

        private readonly ReadOnlySpan<byte> _block = block;
        private int _position;

        public readonly bool End => _position >= _block.Length;

        public readonly byte Peek() =>
            End ? throw new HpackDecodingException("Header block ends inside a representation.") : _block[_position];

        // §5.1 integer with an N-bit prefix in the current octet.
        public int ReadInteger(int prefixBits)
        {
            int mask = (1 << prefixBits) - 1;
            int value = Peek() & mask;
            _position++;
            if (value < mask)
            {
                return value;
            }

            long total = value;
            for (int octets = 0; ; octets++)
            {
                if (octets == MaxContinuationOctets)
                {
                    throw new HpackDecodingException("HPACK integer is too long.");
                }

                byte b = Peek();
                _position++;
                total += (long)(b & 0x7f) << (7 * octets);
                if (total > int.MaxValue)
                {
                    throw new HpackDecodingException("HPACK integer overflows.");
                }

                if ((b & 0x80) == 0)
                {
                    return (int)total;
                }
            }
        }

        public ReadOnlySpan<byte> ReadBytes(int length)
        {
            if (length > _block.Length - _position)
            {
                throw new HpackDecodingException("String literal runs past the end of the header block.");
            }

            ReadOnlySpan<byte> bytes = _block.Slice(_position, length);
            _position += length;
            return bytes;
        }
    }
}
