using System.Text;
using CriO.Storage.Archive;

namespace CriO.Storage.Tests.Archive;

public class Crc64IsoTests
{
    // Expected values computed independently (a bit-by-bit python implementation of the
    // reflected ISO polynomial 0xD800000000000000, init and xorout all ones); "123456789" is
    // the catalogued check value of CRC-64/GO-ISO.
    [Theory]
    [InlineData("", 0x0000000000000000UL)]
    [InlineData("a", 0x3420000000000000UL)]
    [InlineData("hello world", 0xb9cf3f572ad9ac3eUL)]
    [InlineData("123456789", 0xb90956c775a41001UL)]
    public void Checksum_matches_Go_crc64_ISO(string text, ulong expected) =>
        Assert.Equal(expected, Crc64Iso.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Long_input_matches_the_bitwise_reference()
    {
        var data = Enumerable.Range(0, 10240).Select(i => (byte)i).ToArray();
        Assert.Equal(0x48905e4683b3a7daUL, Crc64Iso.Compute(data));
    }

    [Fact]
    public void Appending_in_pieces_gives_the_same_checksum()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        var whole = Crc64Iso.Compute(data);
        foreach (var split in new[] { 1, 3, 7, 8, 9, 500, 999 })
        {
            var crc = new Crc64Iso();
            crc.Append(data.AsSpan(0, split));
            crc.Append(data.AsSpan(split));
            Assert.Equal(whole, crc.Value);
        }
    }

    [Fact]
    public void Is_written_big_endian_as_tar_split_stores_it()
    {
        var crc = new Crc64Iso();
        crc.Append("a"u8);
        var bytes = new byte[8];
        crc.WriteBigEndian(bytes);
        Assert.Equal(new byte[] { 0x34, 0x20, 0, 0, 0, 0, 0, 0 }, bytes);
    }
}
