namespace CriO.Server.Stats;

/// <summary>
/// CPU rate in nano-cores (1e9 = one core busy) from the CPU time of two samples of the same
/// container or pod: Δcpu-ns × 1e9 / Δwall-ns. Keeps the last sample per id, for at most
/// <c>capacity</c> ids (the one sampled longest ago is dropped to make room); the caller calls
/// <see cref="Forget"/> when a container or pod is removed. Safe to use from concurrent calls.
/// </summary>
public sealed class CpuRateTracker(int capacity = CpuRateTracker.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    private const ulong NanosPerSecond = 1_000_000_000;

    private readonly Dictionary<string, Entry> previous = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>
    /// The rate since the previous sample of <paramref name="id"/>, and records this one. Null on
    /// the first sample, when the sample has no CPU counter, or when the counter went back (the
    /// cgroup was recreated). A sample no newer than the stored one (two callers in the same
    /// instant) answers the last rate and leaves the stored sample in place.
    /// </summary>
    public ulong? UsageNanoCores(string id, CgroupSample sample)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.CpuUsageNanos is not { } cpu)
        {
            return null;
        }

        lock (gate)
        {
            ulong? rate = null;
            if (previous.TryGetValue(id, out var last))
            {
                var elapsedTicks = (sample.Time - last.Time).Ticks;
                if (elapsedTicks <= 0)
                {
                    return last.Rate;
                }

                if (cpu >= last.CpuNanos)
                {
                    var elapsedNanos = (UInt128)(ulong)elapsedTicks * (UInt128)(NanosPerSecond / TimeSpan.TicksPerSecond);
                    var cores = (UInt128)(cpu - last.CpuNanos) * NanosPerSecond / elapsedNanos;
                    rate = cores > ulong.MaxValue ? ulong.MaxValue : (ulong)cores;
                }
            }
            else if (previous.Count >= capacity)
            {
                DropOldest();
            }

            previous[id] = new Entry(sample.Time, cpu, rate);
            return rate;
        }
    }

    /// <summary>Drops the stored sample of a removed container or pod; unknown ids are ignored.</summary>
    public void Forget(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (gate)
        {
            previous.Remove(id);
        }
    }

    /// <summary>How many ids hold a sample (for tests and metrics).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return previous.Count;
            }
        }
    }

    private void DropOldest()
    {
        string? oldest = null;
        var oldestTime = DateTimeOffset.MaxValue;
        foreach (var (id, entry) in previous)
        {
            if (entry.Time < oldestTime)
            {
                (oldest, oldestTime) = (id, entry.Time);
            }
        }

        if (oldest is not null)
        {
            previous.Remove(oldest);
        }
    }

    private readonly record struct Entry(DateTimeOffset Time, ulong CpuNanos, ulong? Rate);
}
