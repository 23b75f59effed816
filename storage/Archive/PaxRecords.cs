namespace CriO.Storage.Archive;

/// <summary>
/// PAX extended header records ("%d %s=%s\n"), parsed and validated the way Go's archive/tar
/// does (parsePAXRecord, validPAXRecord, parsePAXTime), working on bytes because values such
/// as xattrs are binary.
/// </summary>
internal static class PaxRecords
{
    public const string XattrPrefix = "SCHILY.xattr.";

    /// <summary>Walks the records of one extended header; <see cref="MoveNext"/> throws on a malformed record.</summary>
    public ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        public Reader(ReadOnlySpan<byte> data)
        {
            _data = data;
            _position = 0;
            KeyStart = KeyLength = ValueStart = ValueLength = 0;
        }

        /// <summary>Offsets of the current key and value inside the data given to the constructor.</summary>
        public int KeyStart { get; private set; }

        public int KeyLength { get; private set; }

        public int ValueStart { get; private set; }

        public int ValueLength { get; private set; }

        public bool MoveNext()
        {
            if (_position >= _data.Length)
            {
                return false;
            }

            var s = _data[_position..];
            var space = s.IndexOf((byte)' ');
            if (space <= 0 || !TryParseDecimal(s[..space], out var n) || n < 5 || n > s.Length)
            {
                throw Malformed();
            }

            var rest = s[(space + 1)..];
            var recordLength = n - (space + 1); // from the index in s to the index in rest
            if (recordLength <= 0 || rest[(int)recordLength - 1] != (byte)'\n')
            {
                throw Malformed();
            }

            var record = rest[..((int)recordLength - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw Malformed();
            }

            var key = record[..equals];
            var value = record[(equals + 1)..];
            var valueMayHoldNul = !(key.SequenceEqual("path"u8) || key.SequenceEqual("linkpath"u8) || key.SequenceEqual("uname"u8) || key.SequenceEqual("gname"u8));
            if (valueMayHoldNul ? key.Contains((byte)0) : value.Contains((byte)0))
            {
                throw Malformed();
            }

            var recordStart = _position + space + 1;
            KeyStart = recordStart;
            KeyLength = equals;
            ValueStart = recordStart + equals + 1;
            ValueLength = value.Length;
            _position += (int)n;
            return true;
        }

        private static LayerFormatException Malformed() => new("malformed PAX extended header record");
    }

    /// <summary>Go's strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits, no overflow.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        var negative = false;
        if (!s.IsEmpty && (s[0] == (byte)'+' || s[0] == (byte)'-'))
        {
            negative = s[0] == (byte)'-';
            s = s[1..];
        }

        if (s.IsEmpty)
        {
            return false;
        }

        ulong x = 0;
        foreach (var c in s)
        {
            if (c < (byte)'0' || c > (byte)'9')
            {
                return false;
            }

            if (x > 922_337_203_685_477_580UL)
            {
                return false;
            }

            x = (x * 10) + (uint)(c - '0');
            if (x > (negative ? 1UL << 63 : long.MaxValue))
            {
                return false;
            }
        }

        value = negative ? (long)(0 - x) : (long)x;
        return true;
    }

    /// <summary>Go's parsePAXTime: "seconds[.fraction]", the fraction cut or padded to nanoseconds.</summary>
    public static bool TryParseTime(ReadOnlySpan<byte> s, out TarTime time)
    {
        time = default;
        var dot = s.IndexOf((byte)'.');
        var secondsPart = dot < 0 ? s : s[..dot];
        if (!TryParseDecimal(secondsPart, out var seconds))
        {
            return false;
        }

        if (dot < 0 || dot == s.Length - 1)
        {
            time = new TarTime(seconds, 0);
            return true;
        }

        var fraction = s[(dot + 1)..];
        long nanoseconds = 0;
        for (var i = 0; i < 9; i++)
        {
            var digit = 0;
            if (i < fraction.Length)
            {
                if (fraction[i] < (byte)'0' || fraction[i] > (byte)'9')
                {
                    return false;
                }

                digit = fraction[i] - '0';
            }

            nanoseconds = (nanoseconds * 10) + digit;
        }

        foreach (var c in fraction)
        {
            if (c < (byte)'0' || c > (byte)'9')
            {
                return false;
            }
        }

        // "-1.5" is one and a half seconds before the epoch: the fraction counts backwards too.
        if (secondsPart.Length > 0 && secondsPart[0] == (byte)'-' && nanoseconds != 0)
        {
            seconds -= 1;
            nanoseconds = 1_000_000_000 - nanoseconds;
        }

        time = new TarTime(seconds, (int)nanoseconds);
        return true;
    }
}
