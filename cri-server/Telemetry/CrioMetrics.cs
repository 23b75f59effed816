using System.Diagnostics.Metrics;

namespace CriO.Server.Telemetry;

/// <summary>
/// The daemon's meter, with CRI-O's metric names as Prometheus shows them. Counters are named
/// without <c>_total</c> and no instrument has a unit, because the Prometheus exporter appends
/// <c>_total</c> to every counter and a unit suffix for a unit: so <c>crio_operations</c> is
/// scraped as <c>crio_operations_total</c>. With no listener (metrics off) a recording is a
/// flag check.
/// </summary>
public static class CrioMetrics
{
    public const string MeterName = "CriO.Server";

    // From a status call (well under a millisecond) to a pull or a slow runtime (minutes).
    private static readonly double[] LatencyBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Operations = Meter.CreateCounter<long>(
        "crio_operations", description: "CRI calls answered, by operation.");

    private static readonly Histogram<double> Latency = Meter.CreateHistogram<double>(
        "crio_operations_latency_seconds", unit: null, description: "Time to answer a CRI call, in seconds, by operation.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "crio_operations_errors", description: "CRI calls that failed, by operation and gRPC status.");

    private static readonly Counter<long> OomKills = Meter.CreateCounter<long>(
        "crio_containers_oom", description: "Containers killed by the kernel's out-of-memory killer.");

    private static readonly Counter<long> OomKillsByName = Meter.CreateCounter<long>(
        "crio_containers_oom_count", description: "Containers killed by the out-of-memory killer, by container name.");

    private static readonly Counter<long> DroppedEvents = Meter.CreateCounter<long>(
        "crio_containers_dropped_events", description: "Container events not delivered because a GetContainerEvents subscriber fell too far behind.");

    private static readonly Counter<long> Stalled = Meter.CreateCounter<long>(
        "crio_resources_stalled_at_stage", description: "Creations whose caller gave up, by the stage they were at.");

    /// <param name="errorType">The gRPC status code's name of a failed call; null for success.</param>
    public static void OperationDone(string operation, TimeSpan elapsed, string? errorType)
    {
        var operationTag = new KeyValuePair<string, object?>("operation_type", operation);
        Operations.Add(1, operationTag);
        Latency.Record(elapsed.TotalSeconds, operationTag);
        if (errorType is not null)
        {
            Errors.Add(1, operationTag, new KeyValuePair<string, object?>("error_type", errorType));
        }
    }

    public static void ContainerOomKilled(string containerName)
    {
        OomKills.Add(1);
        OomKillsByName.Add(1, new KeyValuePair<string, object?>("name", containerName));
    }

    public static void EventsDropped(long count) => DroppedEvents.Add(count);

    public static void CreationStalled(string stage) => Stalled.Add(1, new KeyValuePair<string, object?>("stage", stage));
}
