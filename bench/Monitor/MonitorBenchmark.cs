using System.Diagnostics;
using System.Globalization;
using CriO.Conmon.Client;

namespace CriO.Bench.Monitor;

/// <summary>
/// crio-conmon against Debian's conmon 2.1.6, each running the same busybox containers with
/// runc on a tmpfs: the time from spawning the monitor to its sync-pipe answer with the pid
/// (runc create included: that is what the daemon waits for), median of <c>runs</c>, the order
/// alternating; then the resident memory of one idle monitor and of 50 at once (RSS, PSS and
/// private anonymous memory, from /proc/PID/smaps_rollup). Everything is killed and removed at
/// the end, also after a failure.
/// </summary>
internal static class MonitorBenchmark
{
    private const int Fleet = 50;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(int runs)
    {
        var ours = Environment.GetEnvironmentVariable("CRIO_CONMON_BINARY") is { Length: > 0 } path
            ? path
            : Path.GetFullPath(Path.Join(AppContext.BaseDirectory, "../../../../out/crio-conmon"));
        var monitors = new (string Name, string Path)[] { ("crio-conmon", ours), ("conmon", "/usr/bin/conmon") };
        foreach (var (name, binary) in monitors)
        {
            if (!File.Exists(binary))
            {
                await Console.Error.WriteLineAsync($"{name} not found at {binary} (publish crio: scripts/lib/common.sh publish_crio out)");
                return 2;
            }
        }

        using var tmpfs = new Tmpfs("2g");
        await using var fleet = new ContainerFleet(tmpfs.Root);
        Console.WriteLine($"monitors: crio-conmon {ours}, conmon /usr/bin/conmon; runtime /usr/sbin/runc; folders on tmpfs {tmpfs.Root}");

        // Start-up: one container per run and monitor, started, then removed.
        var startup = monitors.ToDictionary(m => m.Name, _ => new List<TimeSpan>());
        await fleet.StartAsync(monitors[0].Path, "warm-0");
        await fleet.StartAsync(monitors[1].Path, "warm-1");
        await fleet.RemoveAllAsync();
        for (var i = 0; i < runs; i++)
        {
            foreach (var (name, binary) in i % 2 == 0 ? monitors : monitors.Reverse())
            {
                var (elapsed, _) = await fleet.StartAsync(binary, $"s{i}-{name}");
                startup[name].Add(elapsed);
            }

            await fleet.RemoveAllAsync();
        }

        Console.WriteLine();
        Console.WriteLine($"## Monitor start-up: spawn to the sync pipe's pid (runc create included), median of {runs}");
        Console.WriteLine();
        Console.WriteLine("| monitor | median (ms) | p90 (ms) |");
        Console.WriteLine("| --- | --- | --- |");
        foreach (var (name, _) in monitors)
        {
            Console.WriteLine(FormattableString.Invariant($"| {name} | {Median(startup[name]):F1} | {Percentile(startup[name], 0.9):F1} |"));
        }

        Console.WriteLine(FormattableString.Invariant($"\nratio crio-conmon/conmon (median): {Median(startup["crio-conmon"]) / Median(startup["conmon"]):F2}"));

        // Memory: one idle monitor, then a fleet of 50, per monitor.
        Console.WriteLine();
        Console.WriteLine("## Resident memory of idle monitors (container running `sleep`, 2 s after start)");
        Console.WriteLine();
        Console.WriteLine("| monitor | containers | RSS per monitor (kB) | PSS per monitor (kB) | private anonymous per monitor (kB) |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (name, binary) in monitors)
        {
            foreach (var count in new[] { 1, Fleet })
            {
                var pids = new List<int>();
                for (var i = 0; i < count; i++)
                {
                    pids.Add((await fleet.StartAsync(binary, $"m{count}-{i}-{name}")).MonitorPid);
                }

                await Task.Delay(TimeSpan.FromSeconds(2));
                var memory = pids.Select(MemoryOf).ToList();
                Console.WriteLine(FormattableString.Invariant(
                    $"| {name} | {count} | {memory.Average(m => m.Rss):F0} | {memory.Average(m => m.Pss):F0} | {memory.Average(m => m.Anonymous):F0} |"));
                await fleet.RemoveAllAsync();
            }
        }

        return 0;
    }

    private static double Median(List<TimeSpan> values) => Percentile(values, 0.5);

    private static double Percentile(List<TimeSpan> values, double fraction)
    {
        var sorted = values.Select(v => v.TotalMilliseconds).Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(fraction * sorted.Count))];
    }

    private static (long Rss, long Pss, long Anonymous) MemoryOf(int pid)
    {
        long rss = 0, pss = 0, anonymous = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
            {
                continue;
            }

            switch (parts[0])
            {
                case "Rss:": rss = kb; break;
                case "Pss:": pss = kb; break;
                case "Private_Dirty:": anonymous = kb; break;
            }
        }

        return (rss, pss, anonymous);
    }
}
