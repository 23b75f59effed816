using System.Globalization;

namespace CriO.Pinns.Tests;

/// <summary>What /proc says about a process that is not necessarily ours.</summary>
internal static class ProcessInfo
{
    /// <summary>A field of /proc/PID/status ("PPid", "CapEff", ...), or null when the process is gone.</summary>
    public static string? Status(int pid, string field)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status")
                .FirstOrDefault(line => line.StartsWith(field + ":", StringComparison.Ordinal))?[(field.Length + 1)..].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The fields of /proc/PID/stat after "pid (comm)", or null when the process is gone.</summary>
    public static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Trim().Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Gone, or a zombie waiting for a reaper that is not us (init).</summary>
    public static bool HasEnded(int pid) => Stat(pid) is not { } fields || fields[0] is "Z" or "X";

    /// <summary>User plus system CPU time, in clock ticks.</summary>
    public static long CpuTicks(int pid) =>
        Stat(pid) is { } fields
            ? long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"process {pid} is gone");

    /// <summary>The pids whose parent is <paramref name="parent"/>, with their name and state.</summary>
    public static IReadOnlyList<(int Pid, string Name, string State)> Children(int parent)
    {
        var children = new List<(int, string, string)>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == parent.ToString(CultureInfo.InvariantCulture))
                {
                    children.Add((pid, name, fields[0]));
                }
            }
            catch (IOException)
            {
                // gone while we looked
            }
        }

        return children;
    }

    /// <summary>Whether every thread of <paramref name="pid"/> blocks <paramref name="signal"/> (SigBlk of each task).</summary>
    public static bool BlocksInEveryThread(int pid, int signal)
    {
        try
        {
            return Directory.GetDirectories($"/proc/{pid}/task").All(task =>
                File.ReadLines($"{task}/status").FirstOrDefault(l => l.StartsWith("SigBlk:", StringComparison.Ordinal)) is { } line
                && (ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << (signal - 1))) != 0);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The namespace a /proc/PID/ns/X link names: "net:[4026531840]".</summary>
    public static string Namespace(int pid, string kind) =>
        new FileInfo($"/proc/{pid}/ns/{kind}").LinkTarget ?? throw new InvalidOperationException($"no /proc/{pid}/ns/{kind}");

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds or <paramref name="bound"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
