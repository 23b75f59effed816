using System.Globalization;
using CriO.Oci.Spec;
using CriO.Server.Errors;
using CriO.Server.Sandbox;

namespace CriO.Server.Containers.Spec;

public static partial class ContainerSpecBuilder
{
    private static readonly HashSet<string> RlimitNames = new(StringComparer.Ordinal)
    {
        "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
        "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
    };

    /// <summary>
    /// default_ulimits such as <c>nofile=1024:2048</c> (soft:hard; one number sets both; -1 is
    /// unlimited) as RLIMIT_ entries. None given: the container keeps the runtime's own limits,
    /// as under CRI-O.
    /// </summary>
    public static List<PosixRlimit> ParseUlimits(IReadOnlyList<string> ulimits)
    {
        ArgumentNullException.ThrowIfNull(ulimits);
        var result = new List<PosixRlimit>();
        foreach (var ulimit in ulimits)
        {
            var equals = ulimit.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? "" : ulimit[..equals].Trim().ToLowerInvariant();
            if (name.StartsWith("rlimit_", StringComparison.Ordinal))
            {
                name = name["rlimit_".Length..];
            }

            if (!RlimitNames.Contains(name))
            {
                throw new InvalidArgumentException($"default_ulimits: \"{ulimit}\" is not NAME=SOFT[:HARD] with a known limit name");
            }

            var values = ulimit[(equals + 1)..].Split(':');
            if (values.Length > 2 || !TryParseLimit(values[0], out var soft) || !TryParseLimit(values[^1], out var hard) || soft > hard)
            {
                throw new InvalidArgumentException($"default_ulimits: \"{ulimit}\" is not NAME=SOFT[:HARD] with soft <= hard");
            }

            var type = "RLIMIT_" + name.ToUpperInvariant();
            result.RemoveAll(r => r.Type == type);
            result.Add(new PosixRlimit { Type = type, Soft = soft, Hard = hard });
        }

        return result;
    }

    private static bool TryParseLimit(string text, out ulong value)
    {
        text = text.Trim();
        if (text == "-1")
        {
            value = ulong.MaxValue;
            return true;
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>CPU, memory (and swap, where accounted), hugepages and cgroup v2 files, from linux.resources.</summary>
    private static void BuildResources(ContainerSpecInput input, RuntimeSpec spec)
    {
        if (input.Config.Linux?.Resources is { } r)
        {
            ApplyResources(r, spec.Linux!.Resources!);
        }
    }

    /// <summary>
    /// Writes the kubelet's linux.resources into <paramref name="resources"/> (what CreateContainer
    /// and UpdateContainerResources both do); InvalidArgument names a bad field.
    /// </summary>
    public static void ApplyResources(CriO.Cri.LinuxContainerResources r, LinuxResources resources)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(resources);
        if (r.CpuShares < 0 || r.CpuQuota < -1 || r.CpuPeriod < 0 || r.MemoryLimitInBytes < 0)
        {
            throw new InvalidArgumentException("linux.resources: cpu_shares, cpu_period and memory_limit_in_bytes may not be negative");
        }

        if (r.CpuShares > 0 || r.CpuQuota != 0 || r.CpuPeriod > 0 || r.CpusetCpus.Length > 0 || r.CpusetMems.Length > 0)
        {
            resources.Cpu = new LinuxCpu
            {
                Shares = r.CpuShares > 0 ? (ulong)r.CpuShares : null,
                Quota = r.CpuQuota != 0 ? r.CpuQuota : null,
                Period = r.CpuPeriod > 0 ? (ulong)r.CpuPeriod : null,
                Cpus = r.CpusetCpus.Length > 0 ? r.CpusetCpus : null,
                Mems = r.CpusetMems.Length > 0 ? r.CpusetMems : null,
            };
        }

        if (r.MemoryLimitInBytes > 0)
        {
            var swap = r.MemorySwapLimitInBytes;
            if (swap != 0 && swap != -1 && swap < r.MemoryLimitInBytes)
            {
                throw new InvalidArgumentException($"linux.resources.memory_swap_limit_in_bytes {swap} is below memory_limit_in_bytes {r.MemoryLimitInBytes}");
            }

            resources.Memory = new LinuxMemory
            {
                Limit = r.MemoryLimitInBytes,

                // Memory+swap: what the kubelet sent, else no swap beyond the limit; only where swap is accounted.
                Swap = KernelFeatures.SwapAccounting ? (swap != 0 ? swap : r.MemoryLimitInBytes) : null,
            };
        }

        foreach (var hugepage in r.HugepageLimits)
        {
            if (hugepage.PageSize.Length == 0)
            {
                throw new InvalidArgumentException("linux.resources.hugepage_limits: page_size is empty");
            }

            (resources.HugepageLimits ??= []).Add(new LinuxHugepageLimit { PageSize = hugepage.PageSize, Limit = hugepage.Limit });
        }

        if (r.Unified.Count > 0)
        {
            if (!KernelFeatures.CgroupV2)
            {
                throw new InvalidArgumentException("linux.resources.unified needs cgroup v2, and this node runs cgroup v1");
            }

            foreach (var key in r.Unified.Keys.Where(k => k.Contains('/', StringComparison.Ordinal) || k.StartsWith('.')))
            {
                throw new InvalidArgumentException($"linux.resources.unified: \"{key}\" is not a cgroup file name");
            }

            resources.Unified = new Dictionary<string, string>(r.Unified, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// default_sysctls, then the pod's sysctls: only namespaced ones, each needing that namespace
    /// to be the pod's own. Defaults that do not apply (net.* in a host-network pod) are skipped.
    /// </summary>
    private static void BuildSysctls(ContainerSpecInput input, RuntimeSpec spec)
    {
        var sysctls = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in input.Defaults.Sysctls)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new InvalidArgumentException($"default_sysctls: \"{entry}\" is not KEY=VALUE");
            }

            var key = entry[..equals].Trim();
            if (Allowed(input.Pod, key) is null)
            {
                sysctls[key] = entry[(equals + 1)..].Trim();
            }
        }

        foreach (var (key, value) in input.PodConfig.Linux?.Sysctls ?? (IEnumerable<KeyValuePair<string, string>>)[])
        {
            if (Allowed(input.Pod, key) is { } reason)
            {
                throw new InvalidArgumentException($"sysctl \"{key}\": {reason}");
            }

            sysctls[key] = value;
        }

        spec.Linux!.Sysctl = sysctls.Count > 0 ? sysctls : null;
    }

    private static string? Allowed(PodSandboxRecord pod, string key) => NamespacedSysctls.OwnerOf(key) switch
    {
        NamespacedSysctls.Owner.Network when pod.NetNamespace.Length == 0 => "not allowed in a pod on the host's network",
        NamespacedSysctls.Owner.Ipc when pod.IpcNamespace.Length == 0 => "not allowed in a pod on the host's IPC namespace",
        NamespacedSysctls.Owner.Uts when pod.UtsNamespace.Length == 0 => "not allowed in a pod on the host's UTS namespace",
        NamespacedSysctls.Owner.None => "not a namespaced sysctl: it would change the node",
        _ => null,
    };
}
