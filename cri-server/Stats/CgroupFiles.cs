using System.Globalization;

namespace CriO.Server.Stats;

/// <summary>
/// Reads cgroup interface files: a single number (memory.current, pids.current) or a flat-keyed
/// file of "key value" lines (memory.stat, cpu.stat). A file that is missing, or vanishes while
/// read because its cgroup is being removed, reads as null: the caller reports "unknown".
/// </summary>
internal static class CgroupFiles
{
    public static ulong? ReadNumber(string path)
    {
        var text = ReadText(path);
        return text is not null && ulong.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }

    public static Dictionary<string, ulong>? ReadFlatKeyed(string path)
    {
        if (ReadText(path) is not { } text)
        {
            return null;
        }

        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && ulong.TryParse(line.AsSpan(space + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..space]] = value;
            }
        }

        return values;
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            // Missing (controller not enabled), or ENODEV and friends: a cgroup removed between
            // the caller's existence check and this read.
            return null;
        }
    }
}
