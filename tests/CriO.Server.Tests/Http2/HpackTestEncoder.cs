using System.Buffers;
using CriO.Server.Http2;

namespace CriO.Server.Tests.Http2;

/// <summary>
/// The representations a real client's encoder uses and the daemon never writes: incremental
/// indexing, dynamic-table references and size updates (RFC 7541 §6.1, §6.2.1, §6.3).
/// </summary>
internal static class HpackTestEncoder
{
    public static void Indexed(int index, IBufferWriter<byte> destination) =>
        HpackEncoder.EncodeInteger(index, prefixBits: 7, pattern: 0x80, destination);

    /// <summary>Literal with incremental indexing; <paramref name="nameIndex"/> 0 writes the name too.</summary>
    public static void Incremental(HpackHeaderField field, bool huffman, IBufferWriter<byte> destination, int nameIndex = 0)
    {
        HpackEncoder.EncodeInteger(nameIndex, prefixBits: 6, pattern: 0x40, destination);
        if (nameIndex == 0)
        {
            HpackEncoder.EncodeString(field.Name, huffman, destination);
        }

        HpackEncoder.EncodeString(field.Value, huffman, destination);
    }

    public static void SizeUpdate(int size, IBufferWriter<byte> destination) =>
        HpackEncoder.EncodeInteger(size, prefixBits: 5, pattern: 0x20, destination);
}
