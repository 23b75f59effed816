namespace CriO.Server.Stats;

/// <summary>
/// One reading of a cgroup's counters, taken at <paramref name="Time"/>. A value is null when
/// its controller is not enabled for the cgroup (its file is missing), never zero in its place.
/// </summary>
/// <param name="CpuUsageNanos">Cumulative CPU time, nanoseconds (v1 cpuacct.usage, v2 cpu.stat usage_usec × 1000).</param>
/// <param name="MemoryUsageBytes">v1 memory.usage_in_bytes, v2 memory.current: includes page cache.</param>
/// <param name="MemoryWorkingSetBytes">Usage minus inactive file cache, floored at 0, as the kubelet and cAdvisor count it.</param>
/// <param name="MemoryRssBytes">Anonymous memory: v1 total_rss, v2 anon.</param>
/// <param name="PageFaults">Cumulative page faults (pgfault).</param>
/// <param name="MajorPageFaults">Cumulative major page faults (pgmajfault).</param>
/// <param name="SwapUsageBytes">v1 memsw usage minus memory usage, v2 memory.swap.current.</param>
/// <param name="Processes">pids.current: tasks (threads included) in the cgroup.</param>
public sealed record CgroupSample(
    DateTimeOffset Time,
    ulong? CpuUsageNanos,
    ulong? MemoryUsageBytes,
    ulong? MemoryWorkingSetBytes,
    ulong? MemoryRssBytes,
    ulong? PageFaults,
    ulong? MajorPageFaults,
    ulong? SwapUsageBytes,
    ulong? Processes);
