using System.Text;
using CriO.Server.Http2;

namespace CriO.Server.Tests.Http2;

/// <summary>RFC 7541 Appendix C examples, then the malformed inputs a decoder must refuse.</summary>
public class HpackDecoderTests
{
    [Fact]
    public void C2_1_literal_with_indexing_adds_to_the_table()
    {
        var decoder = new HpackDecoder(4096);
        List<HpackHeaderField> fields = Decode(decoder, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");

        Assert.Equal([F("custom-key", "custom-header")], fields);
        AssertTable(decoder, 55, ("custom-key", "custom-header"));
    }

    [Fact]
    public void C2_2_literal_without_indexing_leaves_the_table_empty()
    {
        var decoder = new HpackDecoder(4096);
        Assert.Equal([F(":path", "/sample/path")], Decode(decoder, "040c 2f73 616d 706c 652f 7061 7468"));
        AssertTable(decoder, 0);
    }

    [Fact]
    public void C2_3_literal_never_indexed_is_flagged()
    {
        var decoder = new HpackDecoder(4096);
        List<HpackHeaderField> fields = Decode(decoder, "1008 7061 7373 776f 7264 0673 6563 7265 74");

        Assert.Equal([F("password", "secret", neverIndexed: true)], fields);
        AssertTable(decoder, 0);
    }

    [Fact]
    public void C2_4_indexed_field_comes_from_the_static_table()
    {
        var decoder = new HpackDecoder(4096);
        Assert.Equal([F(":method", "GET")], Decode(decoder, "82"));
        AssertTable(decoder, 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void C3_and_C4_requests_decode_in_sequence_on_one_connection(bool huffman)
    {
        // C.3 without Huffman, C.4 with: same header lists, same tables.
        string[] blocks = huffman
            ? ["8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
               "8286 84be 5886 a8eb 1064 9cbf",
               "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"]
            : ["8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
               "8286 84be 5808 6e6f 2d63 6163 6865",
               "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"];
        var decoder = new HpackDecoder(4096);

        Assert.Equal(
            [F(":method", "GET"), F(":scheme", "http"), F(":path", "/"), F(":authority", "www.example.com")],
            Decode(decoder, blocks[0]));
        AssertTable(decoder, 57, (":authority", "www.example.com"));

        Assert.Equal(
            [F(":method", "GET"), F(":scheme", "http"), F(":path", "/"), F(":authority", "www.example.com"), F("cache-control", "no-cache")],
            Decode(decoder, blocks[1]));
        AssertTable(decoder, 110, ("cache-control", "no-cache"), (":authority", "www.example.com"));

        Assert.Equal(
            [F(":method", "GET"), F(":scheme", "https"), F(":path", "/index.html"), F(":authority", "www.example.com"), F("custom-key", "custom-value")],
            Decode(decoder, blocks[2]));
        AssertTable(decoder, 164, ("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void C5_and_C6_responses_evict_in_a_256_byte_table(bool huffman)
    {
        string[] blocks = huffman
            ? ["4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
               "4883 640e ffc1 c0bf"]
            : ["4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
               "4803 3330 37c1 c0bf"];
        var decoder = new HpackDecoder(256);

        Assert.Equal(
            [F(":status", "302"), F("cache-control", "private"), F("date", "Mon, 21 Oct 2013 20:13:21 GMT"), F("location", "https://www.example.com")],
            Decode(decoder, blocks[0]));
        AssertTable(decoder, 222, ("location", "https://www.example.com"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("cache-control", "private"), (":status", "302"));

        Assert.Equal(
            [F(":status", "307"), F("cache-control", "private"), F("date", "Mon, 21 Oct 2013 20:13:21 GMT"), F("location", "https://www.example.com")],
            Decode(decoder, blocks[1]));
        AssertTable(decoder, 222, (":status", "307"), ("location", "https://www.example.com"), ("date", "Mon, 21 Oct 2013 20:13:21 GMT"), ("cache-control", "private"));

        if (huffman)
        {
            return;
        }

        Assert.Equal(
            [F(":status", "200"), F("cache-control", "private"), F("date", "Mon, 21 Oct 2013 20:13:22 GMT"), F("location", "https://www.example.com"),
             F("content-encoding", "gzip"), F("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1")],
            Decode(decoder, "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31"));
        AssertTable(decoder, 215, ("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"), ("content-encoding", "gzip"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT"));
    }

    [Fact]
    public void Size_update_at_the_start_of_a_block_shrinks_the_table()
    {
        var decoder = new HpackDecoder(4096);
        Decode(decoder, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");
        AssertTable(decoder, 57, (":authority", "www.example.com"));

        // 0x20: size update to 0, which evicts everything; then 0x3f e1 1f: back up to 4096.
        Assert.Equal([F(":method", "GET")], Decode(decoder, "20 3fe1 1f 82"));
        AssertTable(decoder, 0);
        Assert.Equal(4096, decoder.DynamicTable.MaxSize);
    }

    [Fact]
    public void Size_update_after_a_field_is_rejected()
    {
        var decoder = new HpackDecoder(4096);
        Assert.Throws<HpackDecodingException>(() => Decode(decoder, "82 20"));
    }

    [Fact]
    public void Size_update_above_the_advertised_maximum_is_rejected()
    {
        var decoder = new HpackDecoder(4096);

        // 4097 with a 5-bit prefix: 31 + 4066 = 0x3f, 0xe2 0x1f.
        Assert.Throws<HpackDecodingException>(() => Decode(decoder, "3fe2 1f"));
    }

    [Theory]
    [InlineData("80")] // index 0
    [InlineData("be")] // index 62 with an empty dynamic table
    [InlineData("ff80 01")] // index 255
    [InlineData("7e 01 61")] // literal naming dynamic index 62
    public void Index_zero_and_out_of_range_indices_are_rejected(string hex)
    {
        var decoder = new HpackDecoder(4096);
        Assert.Throws<HpackDecodingException>(() => Decode(decoder, hex));
    }

    [Theory]
    [InlineData("ffff ffff ff0f")] // 127 + 2^35-ish: overflows a 32-bit value
    [InlineData("ff80 8080 8080 8001")] // too many continuation octets, even though they add zeros
    [InlineData("ff")] // prefix says more octets follow, and none do
    [InlineData("0f")] // literal without indexing, name index continuation missing
    public void Integer_overflow_and_truncation_are_rejected(string hex)
    {
        var decoder = new HpackDecoder(4096);
        Assert.Throws<HpackDecodingException>(() => Decode(decoder, hex));
    }

    [Fact]
    public void Largest_31_bit_integer_is_accepted_and_one_more_is_not()
    {
        // Index 2^31 - 1 with a 7-bit prefix: 127 + 2147483520, continuation 80 ff ff ff 07.
        var decoder = new HpackDecoder(4096);
        HpackDecodingException inRange = Assert.Throws<HpackDecodingException>(() => Decode(decoder, "ff80 ffff ff07"));
        Assert.Contains("beyond", inRange.Message, StringComparison.Ordinal);

        HpackDecodingException overflow = Assert.Throws<HpackDecodingException>(() => Decode(decoder, "ff81 ffff ff07"));
        Assert.Contains("overflows", overflow.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0005 6869")] // literal name of 5 bytes, only 2 there
    [InlineData("0001 61")] // name, then no value
    [InlineData("0081 ff01 61")] // Huffman name that is all padding (8 ones)
    public void Truncated_or_bad_strings_are_rejected(string hex)
    {
        var decoder = new HpackDecoder(4096);
        Assert.Throws<HpackDecodingException>(() => Decode(decoder, hex));
    }

    [Fact]
    public void Decoded_size_beyond_the_limit_is_rejected()
    {
        // One 1,000-byte entry, then 70 one-octet references to it: 70 kB from under 1.1 kB.
        var block = new List<byte>();
        block.AddRange(Hex.Parse("4001 78 7f e9 06")); // literal name "x", value length 1000 = 127 + 105 + 6 * 128
        block.AddRange(Enumerable.Repeat((byte)'v', 1000));
        block.AddRange(Enumerable.Repeat((byte)0xbe, 70));
        var decoder = new HpackDecoder(4096, maxHeaderListSize: 64 * 1024);

        Assert.Throws<HpackDecodingException>(() => decoder.Decode(block.ToArray(), []));
    }

    [Fact]
    public void Entry_larger_than_the_table_empties_it_without_error()
    {
        var decoder = new HpackDecoder(64);
        Decode(decoder, "4001 6101 62"); // a: b, 34 bytes
        AssertTable(decoder, 34, ("a", "b"));

        // "a" with 40 octets of value: 1 + 40 + 32 > 64, so adding it empties the table.
        byte[] block = [0x40, 0x01, (byte)'a', 40, .. Enumerable.Repeat((byte)'c', 40)];
        var fields = new List<HpackHeaderField>();
        decoder.Decode(block, fields);

        Assert.Single(fields);
        AssertTable(decoder, 0);
    }

    internal static HpackHeaderField F(string name, string value, bool neverIndexed = false) =>
        HpackHeaderField.FromAscii(name, value, neverIndexed);

    private static List<HpackHeaderField> Decode(HpackDecoder decoder, string hex)
    {
        var fields = new List<HpackHeaderField>();
        decoder.Decode(Hex.Parse(hex), fields);
        return fields;
    }

    private static void AssertTable(HpackDecoder decoder, int size, params (string Name, string Value)[] newestFirst)
    {
        HpackDynamicTable table = decoder.DynamicTable;
        Assert.Equal(size, table.Size);
        Assert.Equal(
            newestFirst.Select(e => $"{e.Name}: {e.Value}"),
            Enumerable.Range(0, table.Count).Select(i => $"{Encoding.ASCII.GetString(table[i].Name)}: {Encoding.ASCII.GetString(table[i].Value)}"));
    }
}
