using System.Globalization;

namespace CriO.Conmon.Client;

/// <summary>Reads the CRI log format conmon writes (k8s-file driver).</summary>
public static class CriLogParser
{
    /// <summary>Every well-formed entry of <paramref name="path"/>, in order; malformed lines are skipped.</summary>
    public static async Task<IReadOnlyList<CriLogEntry>> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var entries = new List<CriLogEntry>();
        var lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        foreach (var line in lines)
        {
            if (TryParse(line, out var entry))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Parses one line (without its newline).</summary>
    public static bool TryParse(string line, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CriLogEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(line);
        entry = null;
        var first = line.IndexOf(' ', StringComparison.Ordinal);
        if (first <= 0)
        {
            return false;
        }

        var second = line.IndexOf(' ', first + 1);
        if (second < 0)
        {
            return false;
        }

        var third = line.IndexOf(' ', second + 1);
        var tagEnd = third < 0 ? line.Length : third;
        if (!TryParseTime(line.AsSpan(0, first), out var time))
        {
            return false;
        }

        CriLogStream stream;
        switch (line.AsSpan(first + 1, second - first - 1))
        {
            case "stdout":
                stream = CriLogStream.Stdout;
                break;
            case "stderr":
                stream = CriLogStream.Stderr;
                break;
            default:
                return false;
        }

        // The tag field may carry more tags after ':' in later versions of the format; the first is P or F.
        var tags = line.AsSpan(second + 1, tagEnd - second - 1);
        var colon = tags.IndexOf(':');
        var tag = colon < 0 ? tags : tags[..colon];
        bool partial;
        if (tag is "P")
        {
            partial = true;
        }
        else if (tag is "F")
        {
            partial = false;
        }
        else
        {
            return false;
        }

        var text = third < 0 ? "" : line[(third + 1)..];
        entry = new CriLogEntry(time, stream, partial, text);
        return true;
    }

    /// <summary>
    /// RFC 3339 with up to nine fraction digits; .NET keeps seven, so the rest is dropped before
    /// parsing.
    /// </summary>
    private static bool TryParseTime(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        var dot = text.IndexOf('.');
        if (dot >= 0)
        {
            var digits = 0;
            while (dot + 1 + digits < text.Length && char.IsAsciiDigit(text[dot + 1 + digits]))
            {
                digits++;
            }

            if (digits > 7)
            {
                var trimmed = string.Concat(text[..(dot + 8)], text[(dot + 1 + digits)..]);
                return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }
}
