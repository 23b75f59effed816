using System.Buffers;
using System.Text;
using CriO.Server.Http2;

namespace CriO.Server.Tests.Http2;

public class HpackHuffmanTests
{
    /// <summary>
    /// RFC 7541's code is canonical: sorted by (length, symbol), each code is the previous one
    /// plus one, shifted left when the length grows. A typo in the typed-in table breaks that.
    /// </summary>
    [Fact]
    public void Code_table_is_the_canonical_code_of_its_lengths()
    {
        int[] symbols = Enumerable.Range(0, 257)
            .OrderBy(HpackHuffman.GetCodeLength)
            .ThenBy(s => s)
            .ToArray();

        ulong expected = 0;
        int previousLength = HpackHuffman.GetCodeLength(symbols[0]);
        foreach (int symbol in symbols)
        {
            int length = HpackHuffman.GetCodeLength(symbol);
            expected <<= length - previousLength;
            previousLength = length;
            Assert.True(expected == HpackHuffman.GetCode(symbol), $"symbol {symbol}");
            expected++;
        }

        // A complete code ends on all ones: EOS, thirty 1 bits.
        Assert.Equal(1UL << 30, expected);
        Assert.Equal(0x3fffffffu, HpackHuffman.GetCode(256));
    }

    [Theory]
    [InlineData("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff")] // RFC 7541 C.4.1
    [InlineData("no-cache", "a8eb 1064 9cbf")] // C.4.2
    [InlineData("custom-key", "25a8 49e9 5ba9 7d7f")] // C.4.3
    [InlineData("custom-value", "25a8 49e9 5bb8 e8b4 bf")] // C.4.3
    [InlineData("302", "6402")] // C.6.1
    [InlineData("Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff")] // C.6.1
    [InlineData("https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3")] // C.6.1
    public void Rfc_examples_encode_and_decode(string text, string hex)
    {
        byte[] plain = Encoding.ASCII.GetBytes(text);
        byte[] coded = Hex.Parse(hex);

        var encoded = new ArrayBufferWriter<byte>();
        HpackHuffman.Encode(plain, encoded);
        Assert.Equal(coded, encoded.WrittenSpan.ToArray());
        Assert.Equal(coded.Length, HpackHuffman.GetEncodedLength(plain));

        var decoded = new ArrayBufferWriter<byte>();
        Assert.Equal(plain.Length, HpackHuffman.Decode(coded, decoded));
        Assert.Equal(plain, decoded.WrittenSpan.ToArray());
    }

    [Fact]
    public void Every_byte_value_round_trips()
    {
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal(all, RoundTrip(all));

        for (int b = 0; b < 256; b++)
        {
            Assert.Equal(new[] { (byte)b }, RoundTrip([(byte)b]));
        }
    }

    [Fact]
    public void Random_strings_round_trip()
    {
        var random = new Random(7541);
        for (int i = 0; i < 500; i++)
        {
            var data = new byte[random.Next(0, 300)];
            random.NextBytes(data);
            Assert.Equal(data, RoundTrip(data));
        }
    }

    [Fact]
    public void Empty_input_decodes_to_nothing()
    {
        var decoded = new ArrayBufferWriter<byte>();
        Assert.Equal(0, HpackHuffman.Decode([], decoded));
        Assert.Equal(0, decoded.WrittenCount);
    }

    [Fact]
    public void Padding_of_up_to_seven_ones_is_accepted()
    {
        Assert.Equal("a"u8.ToArray(), Decode(Hex.Parse("1f"))); // 'a' is 00011, then 111.
        Assert.Equal("0a"u8.ToArray(), Decode(Hex.Parse("00 ff"))); // '0' 00000, 'a' 00011, then 111111.
    }

    [Theory]
    [InlineData("18")] // 'a' (00011) padded with 000: padding must be the ones of EOS.
    [InlineData("1e")] // 'a' padded with 110.
    [InlineData("f1e3 c2e5 f23a 6ba0 ab90 f4ff ff")] // C.4.1 plus a byte of ones: padding of 8+ bits.
    [InlineData("ff")] // eight ones alone: padding longer than 7 bits.
    [InlineData("fe")] // 1111111 0: the start of a longer code ('!'), not padding.
    public void Invalid_padding_is_rejected(string hex)
    {
        Assert.Throws<HpackDecodingException>(() => Decode(Hex.Parse(hex)));
    }

    [Theory]
    [InlineData("ffff ffff")] // EOS (30 ones) then two more.
    [InlineData("1fff ffff fc")] // 'a' (00011), then EOS, then padding.
    public void Eos_in_the_data_is_rejected(string hex)
    {
        Assert.Throws<HpackDecodingException>(() => Decode(Hex.Parse(hex)));
    }

    private static byte[] RoundTrip(byte[] data)
    {
        var encoded = new ArrayBufferWriter<byte>();
        HpackHuffman.Encode(data, encoded);
        Assert.Equal(HpackHuffman.GetEncodedLength(data), encoded.WrittenCount);
        return Decode(encoded.WrittenSpan.ToArray());
    }

    private static byte[] Decode(byte[] coded)
    {
        var decoded = new ArrayBufferWriter<byte>();
        HpackHuffman.Decode(coded, decoded);
        return decoded.WrittenSpan.ToArray();
    }
}
