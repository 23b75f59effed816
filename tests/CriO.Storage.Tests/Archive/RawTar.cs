using System.Globalization;
using System.Text;

namespace CriO.Storage.Tests.Archive;

/// <summary>
/// Writes tar archives byte by byte, including ones no well-behaved writer produces (names
/// with "..", links out of the archive, sizes that lie, truncated streams), for the hostile
/// cases System.Formats.Tar's TarWriter refuses to write.
/// </summary>
internal sealed class RawTar
{
    private readonly MemoryStream _stream = new();

    public const long DefaultTime = 1_700_000_000;

    public RawTar File(string name, string content, int mode = 0x1A4 /* 0644 */, int uid = 0, int gid = 0) =>
        Entry(name, '0', Encoding.UTF8.GetBytes(content), mode: mode, uid: uid, gid: gid);

    public RawTar Directory(string name, int mode = 0x1ED /* 0755 */, int uid = 0, int gid = 0) => Entry(name, '5', mode: mode, uid: uid, gid: gid);

    public RawTar Symlink(string name, string target) => Entry(name, '2', link: target, mode: 0x1FF);

    public RawTar HardLink(string name, string target) => Entry(name, '1', link: target);

    /// <summary>One header (and content, padded) with every field under the caller's control.</summary>
    public RawTar Entry(
        string name, char type, byte[]? content = null, string link = "", int mode = 0x1A4, int uid = 0, int gid = 0,
        long mtime = DefaultTime, long? declaredSize = null, int devMajor = 0, int devMinor = 0, byte[]? nameBytes = null)
    {
        content ??= [];
        var block = new byte[512];
        var nameField = nameBytes ?? Encoding.UTF8.GetBytes(name);
        if (nameField.Length > 100)
        {
            throw new ArgumentException("name over 100 bytes: use a PAX or GNU long name record", nameof(name));
        }

        nameField.CopyTo(block, 0);
        Octal(block, 100, 8, mode);
        Octal(block, 108, 8, uid);
        Octal(block, 116, 8, gid);
        Octal(block, 124, 12, declaredSize ?? content.Length);
        Octal(block, 136, 12, mtime);
        block[156] = (byte)type;
        Encoding.UTF8.GetBytes(link).CopyTo(block, 157);
        "ustar\u000000"u8.CopyTo(block.AsSpan(257));
        Octal(block, 329, 8, devMajor);
        Octal(block, 337, 8, devMinor);
        Checksum(block);
        _stream.Write(block);
        _stream.Write(content);
        Pad(content.Length);
        return this;
    }

    /// <summary>A PAX extended header ('x', or 'g' for global) with the given records, binary values allowed.</summary>
    public RawTar Pax(IEnumerable<(string Key, byte[] Value)> records, char type = 'x', string name = "PaxHeaders/entry")
    {
        var data = new MemoryStream();
        foreach (var (key, value) in records)
        {
            var body = Encoding.UTF8.GetBytes($" {key}=").Concat(value).Append((byte)'\n').ToArray();
            var length = body.Length + 1;
            while (length.ToString(CultureInfo.InvariantCulture).Length + body.Length != length)
            {
                length = length.ToString(CultureInfo.InvariantCulture).Length + body.Length;
            }

            data.Write(Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture)));
            data.Write(body);
        }

        return Entry(name, type, data.ToArray());
    }

    public RawTar Pax(params (string Key, string Value)[] records) =>
        Pax(records.Select(r => (r.Key, Encoding.UTF8.GetBytes(r.Value))));

    /// <summary>A GNU long name ('L') or long link ('K') record for the next entry.</summary>
    public RawTar GnuLong(char type, byte[] value) => Entry("././@LongLink", type, [.. value, 0]);

    public RawTar Bytes(byte[] raw)
    {
        _stream.Write(raw);
        return this;
    }

    /// <summary>The archive with <paramref name="endBlocks"/> zero blocks and <paramref name="trailing"/> more zero bytes after them.</summary>
    public byte[] Build(int endBlocks = 2, int trailing = 0)
    {
        var result = new MemoryStream();
        _stream.Position = 0;
        _stream.CopyTo(result);
        result.Write(new byte[(512 * endBlocks) + trailing]);
        return result.ToArray();
    }

    private static void Octal(byte[] block, int offset, int width, long value) =>
        Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(width - 1, '0')).CopyTo(block, offset);

    private static void Checksum(byte[] block)
    {
        for (var i = 148; i < 156; i++)
        {
            block[i] = (byte)' ';
        }

        var sum = block.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(block, 148);
    }

    private void Pad(int length)
    {
        var padding = (512 - (length % 512)) % 512;
        _stream.Write(new byte[padding]);
    }
}
