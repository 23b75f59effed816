using System.Text.Json.Serialization;

namespace CriO.Oci.Spec;

/// <summary>Cgroup settings (config-linux.md "Control groups").</summary>
public sealed class LinuxResources
{
    /// <summary>The device allow/deny list, applied in order.</summary>
    [JsonPropertyName("devices")]
    public List<LinuxDeviceCgroup>? Devices { get; set; }

    [JsonPropertyName("memory")]
    public LinuxMemory? Memory { get; set; }

    [JsonPropertyName("cpu")]
    public LinuxCpu? Cpu { get; set; }

    [JsonPropertyName("pids")]
    public LinuxPids? Pids { get; set; }

    [JsonPropertyName("blockIO")]
    public LinuxBlockIo? BlockIo { get; set; }

    [JsonPropertyName("hugepageLimits")]
    public List<LinuxHugepageLimit>? HugepageLimits { get; set; }

    /// <summary>cgroup v2 files by name, such as <c>memory.high</c>.</summary>
    [JsonPropertyName("unified")]
    public Dictionary<string, string>? Unified { get; set; }
}

/// <summary>One device cgroup rule.</summary>
public sealed class LinuxDeviceCgroup
{
    [JsonPropertyName("allow")]
    public bool Allow { get; set; }

    /// <summary><c>a</c> (all), <c>c</c> or <c>b</c>; absent means all.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    /// <summary>Absent means any major.</summary>
    [JsonPropertyName("major")]
    public long? Major { get; set; }

    /// <summary>Absent means any minor.</summary>
    [JsonPropertyName("minor")]
    public long? Minor { get; set; }

    /// <summary>Some of <c>r</c>, <c>w</c>, <c>m</c>.</summary>
    [JsonPropertyName("access")]
    public string? Access { get; set; }
}

/// <summary>Memory limits in bytes.</summary>
public sealed class LinuxMemory
{
    [JsonPropertyName("limit")]
    public long? Limit { get; set; }

    [JsonPropertyName("reservation")]
    public long? Reservation { get; set; }

    /// <summary>Memory plus swap.</summary>
    [JsonPropertyName("swap")]
    public long? Swap { get; set; }

    [JsonPropertyName("kernel")]
    public long? Kernel { get; set; }

    [JsonPropertyName("swappiness")]
    public ulong? Swappiness { get; set; }

    [JsonPropertyName("disableOOMKiller")]
    public bool? DisableOomKiller { get; set; }
}

/// <summary>CPU scheduling and placement.</summary>
public sealed class LinuxCpu
{
    [JsonPropertyName("shares")]
    public ulong? Shares { get; set; }

    /// <summary>Microseconds per <see cref="Period"/>.</summary>
    [JsonPropertyName("quota")]
    public long? Quota { get; set; }

    [JsonPropertyName("period")]
    public ulong? Period { get; set; }

    [JsonPropertyName("realtimeRuntime")]
    public long? RealtimeRuntime { get; set; }

    [JsonPropertyName("realtimePeriod")]
    public ulong? RealtimePeriod { get; set; }

    /// <summary>A cpuset list such as <c>0-3,7</c>.</summary>
    [JsonPropertyName("cpus")]
    public string? Cpus { get; set; }

    [JsonPropertyName("mems")]
    public string? Mems { get; set; }
}

/// <summary>The task limit; zero or less means no limit.</summary>
public sealed class LinuxPids
{
    [JsonPropertyName("limit")]
    public long Limit { get; set; }
}

/// <summary>Block IO weight (10–1000). Per-device weights and throttles are not modelled yet.</summary>
public sealed class LinuxBlockIo
{
    [JsonPropertyName("weight")]
    public ushort? Weight { get; set; }

    [JsonPropertyName("leafWeight")]
    public ushort? LeafWeight { get; set; }
}

/// <summary>A hugetlb limit for one page size, such as <c>2MB</c>.</summary>
public sealed class LinuxHugepageLimit
{
    [JsonPropertyName("pageSize")]
    public string PageSize { get; set; } = "";

    [JsonPropertyName("limit")]
    public ulong Limit { get; set; }
}
