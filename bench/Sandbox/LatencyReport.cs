using System.Globalization;

namespace CriO.Bench.Sandbox;

/// <summary>
/// Per call, the median and 90th percentile of each contender's cycles and the ratio ours/peer
/// of both, printed as a table like the other benchmarks'. The sum row takes the median of each
/// cycle's total, not the sum of the medians.
/// </summary>
internal static class LatencyReport
{
    private static readonly (string Call, Func<CycleTimes, TimeSpan> Pick)[] Rows =
    [
        ("RunPodSandbox", t => t.Run),
        ("StopPodSandbox", t => t.Stop),
        ("RemovePodSandbox", t => t.Remove),
        ("sum (one pod's life)", t => t.Total),
    ];

    /// <summary>Nearest-rank percentile (p in 0..100) of a non-empty list.</summary>
    public static TimeSpan Percentile(IEnumerable<TimeSpan> values, double p)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static void Print(string title, CriPeer ours, CriPeer peer, IReadOnlyDictionary<CriPeer, List<CycleTimes>> cycles)
    {
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        foreach (var contender in new[] { ours, peer })
        {
            var count = cycles[contender].Count;
            Console.WriteLine(contender.Failure is null
                ? $"- {contender.Name}: {count} cycles"
                : $"- {contender.Name}: {count} cycles before it failed: {contender.Failure}");
        }

        Console.WriteLine();
        Console.WriteLine($"| call | {ours.Name} median (ms) | {ours.Name} p90 (ms) | {peer.Name} median (ms) | {peer.Name} p90 (ms) | {ours.Name}/{peer.Name} median | {ours.Name}/{peer.Name} p90 |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (call, pick) in Rows)
        {
            var (ourMedian, ourP90) = Figures(cycles[ours], pick);
            var (peerMedian, peerP90) = Figures(cycles[peer], pick);
            Console.WriteLine($"| {call} | {Ms(ourMedian)} | {Ms(ourP90)} | {Ms(peerMedian)} | {Ms(peerP90)} | {Ratio(ourMedian, peerMedian)} | {Ratio(ourP90, peerP90)} |");
        }

        Console.WriteLine();
    }

    private static (TimeSpan? Median, TimeSpan? P90) Figures(List<CycleTimes> cycles, Func<CycleTimes, TimeSpan> pick) =>
        cycles.Count == 0 ? (null, null) : (Report.Median(cycles.Select(pick)), Percentile(cycles.Select(pick), 90));

    private static string Ms(TimeSpan? value) =>
        value is { } v ? v.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) : "-";

    private static string Ratio(TimeSpan? ours, TimeSpan? peer) =>
        ours is { } o && peer is { } p && p > TimeSpan.Zero ? (o / p).ToString("F2", CultureInfo.InvariantCulture) : "-";
}
