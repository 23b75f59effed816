using System.Globalization;

namespace CriO.Conmon.Monitor;

/// <summary>
/// The OOM kills in the container's memory cgroup: the <c>oom_kill</c> count of
/// memory.oom_control (cgroup v1, kernel 4.13+) or memory.events (v2), read when the container
/// starts and again when it has exited. A count that grew means the kernel killed something
/// in the container for memory, which is what upstream conmon's event watch reports too.
/// </summary>
internal sealed class OomCounter
{
    private readonly string? _file;
    private readonly long _atStart;

    public OomCounter(int containerPid)
    {
        _file = EventsFile(containerPid);
        _atStart = Read() ?? 0;
    }

    public bool Killed => Read() is { } now && now > _atStart;

    private long? Read()
    {
        if (_file is null)
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines(_file))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    return count;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    // /proc/PID/cgroup: "N:memory:/path" on v1, "0::/path" on v2 (the v2 line comes first on a hybrid host).
    private static string? EventsFile(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/cgroup");
        }
        catch (IOException)
        {
            return null;
        }

        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains("memory"))
            {
                return Path.Join("/sys/fs/cgroup/memory", parts[2], "memory.oom_control");
            }
        }

        foreach (var line in lines)
        {
            if (line.StartsWith("0::", StringComparison.Ordinal) && File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            {
                return Path.Join("/sys/fs/cgroup", line[3..], "memory.events");
            }
        }

        return null;
    }
}
