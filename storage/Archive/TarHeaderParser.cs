using System.Formats.Tar;
using System.Text;

namespace CriO.Storage.Archive;

/// <summary>
/// Decodes one 512-byte tar header block the way Go's archive/tar (as forked by tar-split)
/// does: the same format detection, checksum rules, octal and base-256 numbers and name
/// fields, so that an entry's name and size here are exactly what containers/storage would
/// see and tar-split would record.
/// </summary>
internal static class TarHeaderParser
{
    public const int BlockSize = 512;

    private enum Format
    {
        Unknown,
        V7,
        Ustar, // USTAR or PAX: Go's FormatUSTAR | FormatPAX
        Gnu,
        Star,
    }

    public static bool IsZeroBlock(ReadOnlySpan<byte> block) => !block.ContainsAnyExcept((byte)0);

    /// <summary>
    /// Fills <paramref name="entry"/>'s type, name, link name, size, mode, ids, times and device
    /// numbers from <paramref name="block"/>; throws <see cref="LayerFormatException"/> for a block
    /// Go would reject (bad checksum, unknown format, malformed number).
    /// </summary>
    public static void Parse(ReadOnlySpan<byte> block, TarEntry entry, long offset)
    {
        var format = GetFormat(block);
        if (format == Format.Unknown)
        {
            throw new LayerFormatException($"invalid tar header at byte {offset}: bad checksum or not a tar header");
        }

        var ok = true;
        entry.Type = (TarEntryType)block[156];
        entry.SetName(ParseString(block[..100]));
        entry.SetLinkName(ParseString(block[157..257]));
        entry.Size = Numeric(block[124..136], ref ok);
        entry.Mode = Numeric(block[100..108], ref ok);
        entry.Uid = Numeric(block[108..116], ref ok);
        entry.Gid = Numeric(block[116..124], ref ok);
        entry.ModificationTime = new TarTime(Numeric(block[136..148], ref ok), 0);
        entry.AccessTime = null;
        entry.DeviceMajor = 0;
        entry.DeviceMinor = 0;
        if (format != Format.V7)
        {
            entry.DeviceMajor = Numeric(block[329..337], ref ok);
            entry.DeviceMinor = Numeric(block[337..345], ref ok);
            var prefix = ReadOnlySpan<byte>.Empty;
            switch (format)
            {
                case Format.Ustar:
                    prefix = ParseString(block[345..500]);
                    break;
                case Format.Star:
                    prefix = ParseString(block[345..476]);
                    entry.AccessTime = new TarTime(Numeric(block[476..488], ref ok), 0);
                    _ = Numeric(block[488..500], ref ok);
                    break;
                case Format.Gnu:
                    // GNU headers have atime and ctime where USTAR has its prefix. Go before 1.8
                    // wrote a prefix there by mistake; like Go, fall back to reading one when the
                    // fields are not numbers and hold ASCII.
                    var timesOk = true;
                    var atime = block[345..357];
                    if (atime[0] != 0)
                    {
                        entry.AccessTime = new TarTime(Numeric(atime, ref timesOk), 0);
                    }

                    var ctime = block[357..369];
                    if (ctime[0] != 0)
                    {
                        _ = Numeric(ctime, ref timesOk);
                    }

                    if (!timesOk)
                    {
                        entry.AccessTime = null;
                        var s = ParseString(block[345..500]);
                        if (Ascii.IsValid(s))
                        {
                            prefix = s;
                        }
                    }

                    break;
            }

            if (!prefix.IsEmpty)
            {
                entry.SetName(prefix, ParseString(block[..100]));
            }
        }

        if (!ok)
        {
            throw new LayerFormatException($"invalid number in the tar header at byte {offset}", entry.DisplayName);
        }
    }

    /// <summary>Go's parser.parseString: the field up to its first NUL.</summary>
    public static ReadOnlySpan<byte> ParseString(ReadOnlySpan<byte> field)
    {
        var nul = field.IndexOf((byte)0);
        return nul < 0 ? field : field[..nul];
    }

    /// <summary>Go's parser.parseNumeric: base-256 when the high bit of the first byte is set, else octal.</summary>
    public static long Numeric(ReadOnlySpan<byte> field, ref bool ok)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            // Two's complement, big-endian, the first byte's top bit only a marker: -a-1 == ^a.
            var invert = (field[0] & 0x40) != 0 ? (byte)0xff : (byte)0;
            ulong x = 0;
            for (var i = 0; i < field.Length; i++)
            {
                var c = (byte)(field[i] ^ invert);
                if (i == 0)
                {
                    c &= 0x7f;
                }

                if ((x >> 56) > 0)
                {
                    ok = false;
                    return 0;
                }

                x = (x << 8) | c;
            }

            if ((x >> 63) > 0)
            {
                ok = false;
                return 0;
            }

            return invert == 0xff ? ~(long)x : (long)x;
        }

        return Octal(field, ref ok);
    }

    /// <summary>Go's parser.parseOctal: spaces and NULs trimmed around, then the digits up to a NUL.</summary>
    public static long Octal(ReadOnlySpan<byte> field, ref bool ok)
    {
        field = field.Trim(" \0"u8);
        if (field.IsEmpty)
        {
            return 0;
        }

        field = ParseString(field);
        if (field.IsEmpty)
        {
            ok = false;
            return 0;
        }

        ulong x = 0;
        foreach (var c in field)
        {
            if (c < (byte)'0' || c > (byte)'7' || (x >> 61) != 0)
            {
                ok = false;
                return 0;
            }

            x = (x << 3) | (uint)(c - '0');
        }

        return (long)x;
    }

    private static Format GetFormat(ReadOnlySpan<byte> block)
    {
        var ok = true;
        var recorded = Octal(block[148..156], ref ok);
        if (!ok)
        {
            return Format.Unknown;
        }

        // The checksum counts the checksum field as eight spaces; old tars summed signed bytes.
        long unsignedSum = 0;
        long signedSum = 0;
        for (var i = 0; i < BlockSize; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : block[i];
            unsignedSum += b;
            signedSum += (sbyte)b;
        }

        if (recorded != unsignedSum && recorded != signedSum)
        {
            return Format.Unknown;
        }

        var magic = block[257..263];
        var version = block[263..265];
        var trailer = block[508..512];
        if (magic.SequenceEqual("ustar\0"u8))
        {
            return trailer.SequenceEqual("tar\0"u8) ? Format.Star : Format.Ustar;
        }

        return magic.SequenceEqual("ustar "u8) && version.SequenceEqual(" \0"u8) ? Format.Gnu : Format.V7;
    }
}
