using System.Diagnostics;

namespace CriO.Bench;

/// <summary>One timed run: wall time and CPU seconds (ours in-process, or a child process's).</summary>
internal readonly record struct Measurement(TimeSpan Wall, TimeSpan Cpu)
{
    /// <summary>Times in-process work; CPU is the whole process's, so nothing else may run meanwhile.</summary>
    public static async Task<Measurement> InProcessAsync(Func<Task> work)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await work().ConfigureAwait(false);
        wall.Stop();
        process.Refresh();
        return new Measurement(wall.Elapsed, process.TotalProcessorTime - cpuBefore);
    }

    /// <summary>
    /// Times a child process to its exit. Its CPU (user + system, its own children included once
    /// it waited for them) is what the kernel adds to our cutime/cstime when the child is reaped.
    /// </summary>
    public static async Task<Measurement> ChildAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var childCpuBefore = ReapedChildrenCpu();
        var wall = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        wall.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited {process.ExitCode}: {await errors.ConfigureAwait(false)}");
        }

        return new Measurement(wall.Elapsed, ReapedChildrenCpu() - childCpuBefore);
    }

    // Fields 16 and 17 of /proc/self/stat (proc(5)), in USER_HZ ticks: 100 a second on Linux.
    private static TimeSpan ReapedChildrenCpu()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

        // fields[0] is field 3 (state); cutime is field 16, cstime field 17.
        var ticks = long.Parse(fields[13], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[14], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }
}
