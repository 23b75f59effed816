using CriO.Server.Sandbox.Cgroups;

namespace CriO.Server.Stats;

/// <summary>
/// Reads a cgroup's CPU, memory, swap and pids counters, on cgroup v1 (one hierarchy per
/// controller set: cpuacct or cpu,cpuacct, memory, pids) or on the unified v2 hierarchy.
/// Files, per the kernel's cgroup-v1 memory.txt / cpuacct.txt and cgroup-v2.rst:
/// <code>
///                 v1                                          v2
/// cpu             cpuacct.usage (ns)                          cpu.stat usage_usec (µs)
/// memory usage    memory.usage_in_bytes                       memory.current
/// working set     usage − memory.stat total_inactive_file      usage − memory.stat inactive_file
/// rss             memory.stat total_rss                       memory.stat anon
/// faults          memory.stat total_pgfault, total_pgmajfault memory.stat pgfault, pgmajfault
/// swap            memory.memsw.usage_in_bytes − usage          memory.swap.current
/// processes       pids.current                                pids.current
/// </code>
/// The total_ keys count the cgroup's whole subtree; without them (use_hierarchy off on old
/// kernels) the plain keys are used. In hybrid mode (v1 controllers plus cgroup2 at
/// /sys/fs/cgroup/unified) the controllers live on the v1 side, so v1 is read.
/// </summary>
public sealed class CgroupStatsReader(CgroupMounts mounts, TimeProvider time)
{
    private readonly string? cpuRoot = mounts.IsUnified ? mounts.UnifiedRoot : V1Root(mounts, "cpuacct");
    private readonly string? memoryRoot = mounts.IsUnified ? mounts.UnifiedRoot : V1Root(mounts, "memory");
    private readonly string? pidsRoot = mounts.IsUnified ? mounts.UnifiedRoot : V1Root(mounts, "pids");

    /// <summary>
    /// The cgroup's counters now. <paramref name="cgroupPath"/> is the path inside the hierarchy
    /// ("/kubepods/pod1/crio-ID"; systemd slices already expanded by the caller). Null when the
    /// cgroup is gone: on v1, when its folder is in none of the hierarchies read.
    /// </summary>
    public CgroupSample? Read(string cgroupPath)
    {
        ArgumentNullException.ThrowIfNull(cgroupPath);
        var relative = cgroupPath.TrimStart('/');
        if (relative.Split('/').Contains(".."))
        {
            throw new ArgumentException($"cgroup path {cgroupPath} leaves the hierarchy", nameof(cgroupPath));
        }

        var cpu = Folder(cpuRoot, relative);
        var memory = Folder(memoryRoot, relative);
        var pids = Folder(pidsRoot, relative);
        if (cpu is null && memory is null && pids is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var processes = pids is null ? null : CgroupFiles.ReadNumber(Path.Combine(pids, "pids.current"));
        return mounts.IsUnified ? ReadUnified(now, cpu, memory, processes) : ReadV1(now, cpu, memory, processes);
    }

    private static CgroupSample ReadV1(DateTimeOffset now, string? cpu, string? memory, ulong? processes)
    {
        var cpuNanos = cpu is null ? null : CgroupFiles.ReadNumber(Path.Combine(cpu, "cpuacct.usage"));
        ulong? usage = null, workingSet = null, rss = null, faults = null, majorFaults = null, swap = null;
        if (memory is not null)
        {
            usage = CgroupFiles.ReadNumber(Path.Combine(memory, "memory.usage_in_bytes"));
            var stat = CgroupFiles.ReadFlatKeyed(Path.Combine(memory, "memory.stat"));
            workingSet = WorkingSet(usage, Total(stat, "inactive_file"));
            rss = Total(stat, "rss");
            faults = Total(stat, "pgfault");
            majorFaults = Total(stat, "pgmajfault");

            // memsw exists only with swap accounting (swapaccount=1); it counts memory + swap.
            var memoryAndSwap = CgroupFiles.ReadNumber(Path.Combine(memory, "memory.memsw.usage_in_bytes"));
            if (memoryAndSwap is { } both && usage is { } used)
            {
                swap = both > used ? both - used : 0;
            }
        }

        return new CgroupSample(now, cpuNanos, usage, workingSet, rss, faults, majorFaults, swap, processes);
    }

    private static CgroupSample ReadUnified(DateTimeOffset now, string? cpu, string? memory, ulong? processes)
    {
        // cpu.stat exists in every non-root v2 cgroup, controller enabled or not (usage_usec is core).
        ulong? cpuNanos = null;
        if (cpu is not null && CgroupFiles.ReadFlatKeyed(Path.Combine(cpu, "cpu.stat")) is { } cpuStat
            && cpuStat.TryGetValue("usage_usec", out var micros))
        {
            cpuNanos = micros * 1000;
        }

        ulong? usage = null, workingSet = null, rss = null, faults = null, majorFaults = null, swap = null;
        if (memory is not null)
        {
            usage = CgroupFiles.ReadNumber(Path.Combine(memory, "memory.current"));
            var stat = CgroupFiles.ReadFlatKeyed(Path.Combine(memory, "memory.stat"));
            workingSet = WorkingSet(usage, Key(stat, "inactive_file"));
            rss = Key(stat, "anon");
            faults = Key(stat, "pgfault");
            majorFaults = Key(stat, "pgmajfault");
            swap = CgroupFiles.ReadNumber(Path.Combine(memory, "memory.swap.current"));
        }

        return new CgroupSample(now, cpuNanos, usage, workingSet, rss, faults, majorFaults, swap, processes);
    }

    /// <summary>
    /// Usage less the inactive file cache the kernel can drop first, floored at 0 (the two are
    /// not read atomically). Without memory.stat the usage itself, as cAdvisor reports it.
    /// </summary>
    private static ulong? WorkingSet(ulong? usage, ulong? inactiveFile) => usage switch
    {
        null => null,
        { } used when inactiveFile is { } inactive => used > inactive ? used - inactive : 0,
        { } used => used,
    };

    private static ulong? Total(Dictionary<string, ulong>? stat, string key) =>
        Key(stat, "total_" + key) ?? Key(stat, key);

    private static ulong? Key(Dictionary<string, ulong>? stat, string key) =>
        stat is not null && stat.TryGetValue(key, out var value) ? value : null;

    private static string? Folder(string? root, string relative)
    {
        if (root is null)
        {
            return null;
        }

        var folder = relative.Length == 0 ? root : Path.Combine(root, relative);
        return Directory.Exists(folder) ? folder : null;
    }

    /// <summary>
    /// The v1 hierarchy holding a controller: the mount point whose name lists it, as in
    /// /sys/fs/cgroup/memory or /sys/fs/cgroup/cpu,cpuacct (the systemd and distro layout).
    /// </summary>
    private static string? V1Root(CgroupMounts mounts, string controller) =>
        mounts.V1Roots.FirstOrDefault(root =>
            Path.GetFileName(root.TrimEnd('/')).Split(',').Contains(controller, StringComparer.Ordinal));
}
