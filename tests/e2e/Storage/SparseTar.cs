using System.Text;

namespace CriO.E2E.Tests.Storage;

/// <summary>
/// Appends to a closed tar (over its two end blocks) a regular file of zeros whose data is a hole in the archive file (nothing
/// written, nothing on disk), then the end-of-archive blocks: an archive with a huge entry that
/// costs no disk. The header is written by hand (ustar: octal fields, byte-sum checksum), since
/// a tar writer would write the zeros.
/// </summary>
internal static class SparseTar
{
    private const int Block = 512;

    public static void AppendHoleEntry(FileStream archive, string name, long size)
    {
        var header = new byte[Block];
        Field(header, 0, 100, name);
        Field(header, 100, 8, "0000644");
        Field(header, 108, 8, "0000000");
        Field(header, 116, 8, "0000000");
        Field(header, 124, 12, Convert.ToString(size, 8).PadLeft(11, '0'));
        Field(header, 136, 12, "00000000000");
        header[156] = (byte)'0';
        Field(header, 257, 6, "ustar");
        Field(header, 263, 2, "00");

        // The checksum is the sum of the header's bytes with its own field counted as spaces.
        Encoding.ASCII.GetBytes("        ").CopyTo(header, 148);
        var sum = header.Sum(b => (int)b);
        Field(header, 148, 8, Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ");

        // In place of the end-of-archive blocks that the archive's writer closed it with.
        archive.Seek(-2 * Block, SeekOrigin.End);
        archive.Write(header);
        var padded = (size + Block - 1) / Block * Block;

        // Data and the two zero blocks that end the archive: length only, so they are a hole.
        archive.SetLength(archive.Position + padded + (2 * Block));
    }

    private static void Field(byte[] header, int offset, int length, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        if (bytes.Length > length)
        {
            throw new ArgumentException($"\"{value}\" does not fit a {length}-byte tar field");
        }

        bytes.CopyTo(header, offset);
    }
}
