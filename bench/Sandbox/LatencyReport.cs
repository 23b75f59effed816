using System.Globalization;

namespace CriO.Bench.Sandbox;

/// <summary>
/// Per call, the median and 90th percentile of each contender's cycles and the ratio ours/peer
/// of both, printed as a table like the other benchmarks'. A sum row (its pick adds the calls)
/// takes the median of each cycle's total, not the sum of the medians.
/// </summary>
internal static class LatencyReport
{
    /// <summary>One row of the table: its label and which span of a sample it reports.</summary>
    public sealed record Row<T>(string Label, Func<T, TimeSpan> Pick);

    /// <summary>Nearest-rank percentile (p in 0..100) of a non-empty list.</summary>
    public static TimeSpan Percentile(IEnumerable<TimeSpan> values, double p)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static void Print<T>(string title, CriPeer ours, CriPeer peer, IReadOnlyDictionary<CriPeer, List<T>> cycles, IReadOnlyList<Row<T>> rows, string unit)
    {
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        foreach (var contender in new[] { ours, peer })
        {
            var count = cycles[contender].Count;
            Console.WriteLine(contender.Failure is null
                ? $"- {contender.Name}: {count} {unit}"
                : $"- {contender.Name}: {count} {unit} before it failed: {contender.Failure}");
        }

        Console.WriteLine();
        Console.WriteLine($"| call | {ours.Name} median (ms) | {ours.Name} p90 (ms) | {peer.Name} median (ms) | {peer.Name} p90 (ms) | {ours.Name}/{peer.Name} median | {ours.Name}/{peer.Name} p90 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (call, pick) in rows)
        {
            var (ourMedian, ourP90) = Figures(cycles[ours], pick);
            var (peerMedian, peerP90) = Figures(cycles[peer], pick);
            Console.WriteLine($"| {call} | {Ms(ourMedian)} | {Ms(ourP90)} | {Ms(peerMedian)} | {Ms(peerP90)} | {Ratio(ourMedian, peerMedian)} | {Ratio(ourP90, peerP90)} |");
        }

        Console.WriteLine();
    }

    private static (TimeSpan? Median, TimeSpan? P90) Figures<T>(List<T> cycles, Func<T, TimeSpan> pick) =>
        cycles.Count == 0 ? (null, null) : (Report.Median(cycles.Select(pick)), Percentile(cycles.Select(pick), 90));

    private static string Ms(TimeSpan? value) =>
        value is { } v ? v.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static string Ratio(TimeSpan? ours, TimeSpan? peer) =>
        ours is { } o && peer is { } p && p > TimeSpan.Zero ? (o / p).ToString("F2", CultureInfo.InvariantCulture) : "-";
}
