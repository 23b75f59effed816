using System.Diagnostics;
using CriO.Server.Sandbox.Cgroups;
using CriO.Server.Stats;

namespace CriO.Server.Tests.Stats;

/// <summary>
/// The reader on a real cgroup made for the test (needs root): a shell that, once moved in,
/// fills 30 MB of its own memory and then spins. On v1 the cgroup is made in the cpu, cpuacct,
/// memory and pids hierarchies; on a pure v2 node in the unified one.
/// </summary>
public sealed class CgroupStatsRootTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [RootFact]
    public async Task A_real_cgroup_shows_cpu_rising_memory_in_use_and_its_process()
    {
        Assert.True(RootFactAttribute.IsRoot, "CI is set, so this test runs, but it needs root");
        var mounts = CgroupMounts.Read();
        var name = "crio-stats-test-" + Guid.NewGuid().ToString("N")[..12];
        var folders = mounts.IsUnified
            ? [Path.Combine(mounts.UnifiedRoot, name)]
            : mounts.V1Roots
                .Where(root => Path.GetFileName(root).Split(',').Intersect(["cpu", "cpuacct", "memory", "pids"]).Any())
                .Select(root => Path.Combine(root, name))
                .ToList();
        Assert.NotEmpty(folders);

        Process? shell = null;
        try
        {
            foreach (var folder in folders)
            {
                Directory.CreateDirectory(folder);
            }

            // Waits for a line so that it allocates only once inside the cgroup: v1 does not move
            // charges made before the move.
            shell = Process.Start(new ProcessStartInfo("sh")
            {
                ArgumentList = { "-c", "read go; x=$(head -c 30000000 /dev/zero | tr '\\0' a); while :; do :; done" },
                RedirectStandardInput = true,
                UseShellExecute = false,
            })!;
            foreach (var folder in folders)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, "cgroup.procs"), shell.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            await shell.StandardInput.WriteLineAsync("go");
            await shell.StandardInput.FlushAsync();

            var reader = new CgroupStatsReader(mounts, TimeProvider.System);
            var first = await WaitForAsync(reader, name, s => s.MemoryUsageBytes > 20_000_000 && s.CpuUsageNanos > 0);
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            var second = reader.Read("/" + name)!;

            Assert.True(second.CpuUsageNanos > first.CpuUsageNanos, $"cpu {first.CpuUsageNanos} then {second.CpuUsageNanos}");
            Assert.True(second.MemoryWorkingSetBytes > 0, $"working set {second.MemoryWorkingSetBytes}");
            Assert.True(second.MemoryRssBytes > 0, $"rss {second.MemoryRssBytes}");
            Assert.True(second.Processes >= 1, $"processes {second.Processes}");
            Assert.True(second.Time > first.Time);

            var tracker = new CpuRateTracker();
            tracker.UsageNanoCores(name, first);
            // One spinning shell: about one core, allow for a busy machine.
            Assert.InRange(tracker.UsageNanoCores(name, second)!.Value, 100_000_000ul, 2_000_000_000ul);
        }
        finally
        {
            if (shell is not null)
            {
                if (!shell.HasExited)
                {
                    shell.Kill(entireProcessTree: true);
                }

                using var exited = new CancellationTokenSource(Bound);
                await shell.WaitForExitAsync(exited.Token);
                shell.Dispose();
            }

            foreach (var folder in folders)
            {
                await RemoveCgroupAsync(folder);
            }
        }

        Assert.Null(new CgroupStatsReader(mounts, TimeProvider.System).Read("/" + name));
    }

    private static async Task<CgroupSample> WaitForAsync(CgroupStatsReader reader, string name, Func<CgroupSample, bool> done)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var sample = reader.Read("/" + name);
            Assert.NotNull(sample);
            if (done(sample))
            {
                return sample;
            }

            Assert.True(deadline.Elapsed < Bound, $"the cgroup did not fill up: {sample}");
            await Task.Delay(50);
        }
    }

    /// <summary>rmdir, retried while the killed tasks are still leaving (EBUSY), bounded.</summary>
    private static async Task RemoveCgroupAsync(string folder)
    {
        var deadline = Stopwatch.StartNew();
        while (Directory.Exists(folder))
        {
            try
            {
                Directory.Delete(folder);
            }
            catch (IOException) when (deadline.Elapsed < Bound)
            {
                await Task.Delay(50);
            }
        }
    }
}
