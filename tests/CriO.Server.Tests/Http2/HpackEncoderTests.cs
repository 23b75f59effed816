using System.Buffers;
using CriO.Server.Http2;
using static CriO.Server.Tests.Http2.HpackDecoderTests;

namespace CriO.Server.Tests.Http2;

public class HpackEncoderTests
{
    [Theory]
    [InlineData(10, 5, "0a")] // RFC 7541 C.1.1
    [InlineData(1337, 5, "1f9a0a")] // C.1.2
    [InlineData(42, 8, "2a")] // C.1.3
    [InlineData(31, 5, "1f00")] // exactly the prefix maximum needs a zero continuation
    [InlineData(int.MaxValue, 7, "7f80ffffff07")]
    public void Integers_follow_the_rfc_examples(int value, int prefixBits, string hex)
    {
        var buffer = new ArrayBufferWriter<byte>();
        HpackEncoder.EncodeInteger(value, prefixBits, pattern: 0, buffer);
        Assert.Equal(Hex.Parse(hex), buffer.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(":method", "GET", false, "82")] // name and value in the static table: indexed
    [InlineData(":path", "/sample/path", false, "040c 2f73 616d 706c 652f 7061 7468")] // C.2.2
    [InlineData("password", "secret", true, "1008 7061 7373 776f 7264 0673 6563 7265 74")] // C.2.3
    [InlineData(":method", "GET", true, "1203 4745 54")] // never indexed even with a full static match
    [InlineData(":authority", "localhost", false, "0109 6c6f 6361 6c68 6f73 74")]
    public void Fields_encode_without_touching_the_dynamic_table(string name, string value, bool neverIndexed, string hex)
    {
        var buffer = new ArrayBufferWriter<byte>();
        HpackEncoder.EncodeLiteralWithoutIndexing(F(name, value, neverIndexed), buffer);
        Assert.Equal(Hex.Parse(hex), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Encoded_fields_decode_back_with_a_fresh_decoder_and_leave_its_table_empty()
    {
        var random = new Random(42);
        List<HpackHeaderField> fields =
        [
            F(":method", "POST"),
            F(":scheme", "http"),
            F(":path", "/runtime.v1.RuntimeService/Version"),
            F(":authority", "localhost"),
            F("content-type", "application/grpc"),
            F("user-agent", "grpc-go/1.59.0"),
            F("te", "trailers"),
            F("authorization", "Bearer secret", neverIndexed: true),
            F("x-long", new string('v', 5000)),
            F("accept-encoding", "gzip, deflate"),
            F(string.Empty, string.Empty),
        ];
        var binary = new byte[300];
        random.NextBytes(binary);
        fields.Add(new HpackHeaderField("x-bin"u8.ToArray(), binary));

        var buffer = new ArrayBufferWriter<byte>();
        foreach (HpackHeaderField field in fields)
        {
            HpackEncoder.EncodeLiteralWithoutIndexing(field, buffer);
        }

        AssertOnlyNonIndexingRepresentations(buffer.WrittenSpan.ToArray());
        var decoder = new HpackDecoder(4096);
        var decoded = new List<HpackHeaderField>();
        decoder.Decode(buffer.WrittenSpan, decoded);

        Assert.Equal(fields, decoded);
        Assert.Equal(0, decoder.DynamicTable.Count);
    }

    [Fact]
    public void Huffman_strings_decode_back()
    {
        var buffer = new ArrayBufferWriter<byte>();
        HpackTestEncoder.Incremental(F("custom-key", "custom-value"), huffman: true, buffer);
        var decoded = new List<HpackHeaderField>();
        new HpackDecoder(4096).Decode(buffer.WrittenSpan, decoded);
        Assert.Equal([F("custom-key", "custom-value")], decoded);

        // RFC 7541 C.4.3's last field is exactly this representation.
        Assert.Equal(Hex.Parse("4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"), buffer.WrittenSpan.ToArray());
    }

    /// <summary>
    /// Walks a block and fails on incremental indexing, size updates or any index above the
    /// static table: the representations that read or change a dynamic table.
    /// </summary>
    internal static void AssertOnlyNonIndexingRepresentations(ReadOnlySpan<byte> block)
    {
        int position = 0;
        while (position < block.Length)
        {
            byte first = block[position];
            if ((first & 0x80) != 0)
            {
                Assert.InRange(ReadInteger(block, ref position, 7), 1, HpackStaticTable.Count);
                continue;
            }

            Assert.True((first & 0xe0) == 0, $"incremental indexing or size update at offset {position}");
            int nameIndex = ReadInteger(block, ref position, 4);
            Assert.InRange(nameIndex, 0, HpackStaticTable.Count);
            if (nameIndex == 0)
            {
                SkipString(block, ref position);
            }

            SkipString(block, ref position);
        }
    }

    private static void SkipString(ReadOnlySpan<byte> block, ref int position)
    {
        int length = ReadInteger(block, ref position, 7);
        position += length;
    }

    private static int ReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        int mask = (1 << prefixBits) - 1;
        int value = block[position++] & mask;
        if (value < mask)
        {
            return value;
        }

        for (int shift = 0; ; shift += 7)
        {
            byte b = block[position++];
            value += (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
