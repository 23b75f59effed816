using System.Buffers;

namespace CriO.Server.Http2;

/// <summary>
/// Writes HPACK representations that leave the receiver's dynamic table alone: a header block
/// made only of these decodes the same whatever the receiver's table holds, and leaves it as it was.
/// </summary>
internal static class HpackEncoder
{
    /// <summary>
    /// Encodes <paramref name="field"/> without touching the dynamic table: a static-table index
    /// when name and value both match an entry, otherwise a literal without indexing (or never
    /// indexed, if the field came that way) naming a static entry when its name is there.
    /// </summary>
    public static void EncodeLiteralWithoutIndexing(HpackHeaderField field, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(field.Name);
        ArgumentNullException.ThrowIfNull(field.Value);

        HpackStaticTable.Find(field.Name, field.Value, out int nameIndex, out int fullIndex);

        // A never-indexed field must stay a never-indexed literal (§7.1.3), even when an index would be shorter.
        if (fullIndex != 0 && !field.NeverIndexed)
        {
            // §6.1 Indexed Header Field: 1xxxxxxx.
            EncodeInteger(fullIndex, prefixBits: 7, pattern: 0x80, destination);
            return;
        }

        // §6.2.3 never indexed 0001xxxx, §6.2.2 without indexing 0000xxxx; index 0 means a literal name follows.
        EncodeInteger(nameIndex, prefixBits: 4, pattern: field.NeverIndexed ? (byte)0x10 : (byte)0x00, destination);
        if (nameIndex == 0)
        {
            EncodeString(field.Name, huffman: false, destination);
        }

        EncodeString(field.Value, huffman: false, destination);
    }

    /// <summary>
    /// Writes an integer with an N-bit prefix (RFC 7541 §5.1); <paramref name="pattern"/> holds
    /// the representation's bits above the prefix.
    /// </summary>
    public static void EncodeInteger(int value, int prefixBits, byte pattern, IBufferWriter<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefixBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixBits, 8);
        ArgumentNullException.ThrowIfNull(destination);

        // One prefix octet plus at most five 7-bit octets for a 31-bit value.
        Span<byte> output = destination.GetSpan(6);
        int mask = (1 << prefixBits) - 1;
        if (value < mask)
        {
            output[0] = (byte)(pattern | value);
            destination.Advance(1);
            return;
        }

        output[0] = (byte)(pattern | mask);
        int written = 1;
        value -= mask;
        while (value >= 0x80)
        {
            output[written++] = (byte)((value & 0x7f) | 0x80);
            value >>= 7;
        }

        output[written++] = (byte)value;
        destination.Advance(written);
    }

    /// <summary>Writes a string literal (RFC 7541 §5.2), plain or Huffman coded.</summary>
    public static void EncodeString(ReadOnlySpan<byte> value, bool huffman, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);

        if (huffman)
        {
            EncodeInteger(HpackHuffman.GetEncodedLength(value), prefixBits: 7, pattern: 0x80, destination);
            HpackHuffman.Encode(value, destination);
            return;
        }

        EncodeInteger(value.Length, prefixBits: 7, pattern: 0x00, destination);
        destination.Write(value);
    }
}
