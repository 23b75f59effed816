namespace CriO.Server.Http2;

/// <summary>The 61 predefined header fields of RFC 7541 Appendix A, at indices 1 to 61.</summary>
internal static class HpackStaticTable
{
    public const int Count = 61;

    // Index 0 is unused so that entry i sits at s_entries[i], as the RFC numbers them.
    private static readonly HpackHeaderField[] s_entries =
    [
        default,
        HpackHeaderField.FromAscii(":authority", string.Empty),
        HpackHeaderField.FromAscii(":method", "GET"),
        HpackHeaderField.FromAscii(":method", "POST"),
        HpackHeaderField.FromAscii(":path", "/"),
        HpackHeaderField.FromAscii(":path", "/index.html"),
        HpackHeaderField.FromAscii(":scheme", "http"),
        HpackHeaderField.FromAscii(":scheme", "https"),
        HpackHeaderField.FromAscii(":status", "200"),
        HpackHeaderField.FromAscii(":status", "204"),
        HpackHeaderField.FromAscii(":status", "206"),
        HpackHeaderField.FromAscii(":status", "304"),
        HpackHeaderField.FromAscii(":status", "400"),
        HpackHeaderField.FromAscii(":status", "404"),
        HpackHeaderField.FromAscii(":status", "500"),
        HpackHeaderField.FromAscii("accept-charset", string.Empty),
        HpackHeaderField.FromAscii("accept-encoding", "gzip, deflate"),
        HpackHeaderField.FromAscii("accept-language", string.Empty),
        HpackHeaderField.FromAscii("accept-ranges", string.Empty),
        HpackHeaderField.FromAscii("accept", string.Empty),
        HpackHeaderField.FromAscii("access-control-allow-origin", string.Empty),
        HpackHeaderField.FromAscii("age", string.Empty),
        HpackHeaderField.FromAscii("allow", string.Empty),
        HpackHeaderField.FromAscii("authorization", string.Empty),
        HpackHeaderField.FromAscii("cache-control", string.Empty),
        HpackHeaderField.FromAscii("content-disposition", string.Empty),
        HpackHeaderField.FromAscii("content-encoding", string.Empty),
        HpackHeaderField.FromAscii("content-language", string.Empty),
        HpackHeaderField.FromAscii("content-length", string.Empty),
        HpackHeaderField.FromAscii("content-location", string.Empty),
        HpackHeaderField.FromAscii("content-range", string.Empty),
        HpackHeaderField.FromAscii("content-type", string.Empty),
        HpackHeaderField.FromAscii("cookie", string.Empty),
        HpackHeaderField.FromAscii("date", string.Empty),
        HpackHeaderField.FromAscii("etag", string.Empty),
        HpackHeaderField.FromAscii("expect", string.Empty),
        HpackHeaderField.FromAscii("expires", string.Empty),
        HpackHeaderField.FromAscii("from", string.Empty),
        HpackHeaderField.FromAscii("host", string.Empty),
        HpackHeaderField.FromAscii("if-match", string.Empty),
        HpackHeaderField.FromAscii("if-modified-since", string.Empty),
        HpackHeaderField.FromAscii("if-none-match", string.Empty),
        HpackHeaderField.FromAscii("if-range", string.Empty),
        HpackHeaderField.FromAscii("if-unmodified-since", string.Empty),
        HpackHeaderField.FromAscii("last-modified", string.Empty),
        HpackHeaderField.FromAscii("link", string.Empty),
        HpackHeaderField.FromAscii("location", string.Empty),
        HpackHeaderField.FromAscii("max-forwards", string.Empty),
        HpackHeaderField.FromAscii("proxy-authenticate", string.Empty),
        HpackHeaderField.FromAscii("proxy-authorization", string.Empty),
        HpackHeaderField.FromAscii("range", string.Empty),
        HpackHeaderField.FromAscii("referer", string.Empty),
        HpackHeaderField.FromAscii("refresh", string.Empty),
        HpackHeaderField.FromAscii("retry-after", string.Empty),
        HpackHeaderField.FromAscii("server", string.Empty),
        HpackHeaderField.FromAscii("set-cookie", string.Empty),
        HpackHeaderField.FromAscii("strict-transport-security", string.Empty),
        HpackHeaderField.FromAscii("transfer-encoding", string.Empty),
        HpackHeaderField.FromAscii("user-agent", string.Empty),
        HpackHeaderField.FromAscii("vary", string.Empty),
        HpackHeaderField.FromAscii("via", string.Empty),
        HpackHeaderField.FromAscii("www-authenticate", string.Empty),
    ];

    /// <summary>The entry at RFC index <paramref name="index"/>, 1 to <see cref="Count"/>.</summary>
    public static HpackHeaderField Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, Count);
        return s_entries[index];
    }

    /// <summary>
    /// Finds <paramref name="name"/>: <paramref name="nameIndex"/> is its first index (0 if absent),
    /// <paramref name="fullIndex"/> the index whose value also matches (0 if none).
    /// </summary>
    /// <remarks>
    /// A scan: 61 entries, most rejected on length, costs less than hashing the octets would.
    /// </remarks>
    public static void Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out int nameIndex, out int fullIndex)
    {
        nameIndex = 0;
        fullIndex = 0;
        for (int i = 1; i <= Count; i++)
        {
            HpackHeaderField entry = s_entries[i];
            if (!name.SequenceEqual(entry.Name))
            {
                continue;
            }

            if (nameIndex == 0)
            {
                nameIndex = i;
            }

            if (value.SequenceEqual(entry.Value))
            {
                fullIndex = i;
                return;
            }
        }
    }
}
