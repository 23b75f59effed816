using System.Globalization;

namespace CriO.Bench;

/// <summary>Medians of each contender's runs and their ratios to ours, printed as a table.</summary>
internal static class Report
{
    public static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static void Print(string title, string ours, IReadOnlyDictionary<string, List<Measurement>> runs, long bytes)
    {
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine("| contender | runs | median wall (s) | median CPU (s) | MB/s (wall) | ours/peer wall | ours/peer CPU |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        var ourWall = Median(runs[ours].Select(r => r.Wall));
        var ourCpu = Median(runs[ours].Select(r => r.Cpu));
        foreach (var (name, measurements) in runs)
        {
            var wall = Median(measurements.Select(r => r.Wall));
            var cpu = Median(measurements.Select(r => r.Cpu));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {measurements.Count} | {wall.TotalSeconds:F3} | {cpu.TotalSeconds:F3} | {bytes / 1e6 / wall.TotalSeconds:F1} | {(name == ours ? "-" : (ourWall / wall).ToString("F2", CultureInfo.InvariantCulture))} | {(name == ours ? "-" : (ourCpu / cpu).ToString("F2", CultureInfo.InvariantCulture))} |"));
        }

        Console.WriteLine();
    }
}
