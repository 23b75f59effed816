using CriO.Cri;
using CriO.Server.Images;

namespace CriO.Server.Stats;

/// <summary>
/// Maps cgroup samples, disk usage and interface counters to the CRI stats messages. A value
/// that is not known stays unset (a null UInt64Value), which the kubelet reads as "not
/// reported" rather than zero. Attributes (ids, metadata, labels) are the caller's to fill.
/// </summary>
public static class CriStats
{
    /// <summary>The name the kubelet reports as a pod's default interface.</summary>
    public const string DefaultInterfaceName = "eth0";

    public static CpuUsage Cpu(CgroupSample s, ulong? nanoCores)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new CpuUsage
        {
            Timestamp = UnixNanos(s.Time),
            UsageCoreNanoSeconds = Value(s.CpuUsageNanos),
            UsageNanoCores = Value(nanoCores),
        };
    }

    public static MemoryUsage Memory(CgroupSample s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new MemoryUsage
        {
            Timestamp = UnixNanos(s.Time),
            WorkingSetBytes = Value(s.MemoryWorkingSetBytes),
            UsageBytes = Value(s.MemoryUsageBytes),
            RssBytes = Value(s.MemoryRssBytes),
            PageFaults = Value(s.PageFaults),
            MajorPageFaults = Value(s.MajorPageFaults),
        };
    }

    /// <summary>Swap usage, or null when swap is not accounted for the cgroup.</summary>
    public static SwapUsage? Swap(CgroupSample s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.SwapUsageBytes is { } swap
            ? new SwapUsage { Timestamp = UnixNanos(s.Time), SwapUsageBytes = new UInt64Value { Value = swap } }
            : null;
    }

    /// <summary>Process count of a pod (its cgroup's pids.current), or null when not known.</summary>
    public static ProcessUsage? Process(CgroupSample s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Processes is { } count
            ? new ProcessUsage { Timestamp = UnixNanos(s.Time), ProcessCount = new UInt64Value { Value = count } }
            : null;
    }

    /// <summary>
    /// Bytes and inodes used by a container's writable layer (its upper folder), reported on the
    /// filesystem of the store's graph root, as ImageFsInfo names it.
    /// </summary>
    public static FilesystemUsage Filesystem(string mountpoint, string writableLayerPath, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(mountpoint);
        ArgumentNullException.ThrowIfNull(writableLayerPath);
        var (bytes, inodes) = DiskUsage.Measure(writableLayerPath);
        return new FilesystemUsage
        {
            Timestamp = UnixNanos(time),
            FsId = new FilesystemIdentifier { Mountpoint = mountpoint },
            UsedBytes = new UInt64Value { Value = (ulong)bytes },
            InodesUsed = new UInt64Value { Value = (ulong)inodes },
        };
    }

    /// <summary>
    /// A pod's network usage: every interface, and <see cref="DefaultInterfaceName"/> as the
    /// default one when present.
    /// </summary>
    public static NetworkUsage Network(IReadOnlyList<NetworkInterfaceUsage> interfaces, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        var usage = new NetworkUsage
        {
            Timestamp = UnixNanos(time),
            DefaultInterface = interfaces.FirstOrDefault(i => i.Name == DefaultInterfaceName),
        };
        usage.Interfaces.AddRange(interfaces);
        return usage;
    }

    internal static long UnixNanos(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static UInt64Value? Value(ulong? value) => value is { } v ? new UInt64Value { Value = v } : null;
}
