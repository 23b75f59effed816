using CriO.Server.Errors;

namespace CriO.Server.Containers.Spec;

/// <summary>Capability names as the kubelet and crio.conf give them (<c>NET_ADMIN</c> or <c>CAP_NET_ADMIN</c>, any case).</summary>
public static class Capabilities
{
    /// <summary>Every capability Linux defines, in number order (capability.h, 6.x).</summary>
    public static IReadOnlyList<string> Known { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary><c>CAP_NAME</c> in upper case; throws InvalidArgument naming <paramref name="field"/> for an unknown one.</summary>
    public static string Normalize(string name, string field)
    {
        ArgumentNullException.ThrowIfNull(name);
        var upper = name.Trim().ToUpperInvariant();
        var full = upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
        return Known.Contains(full, StringComparer.Ordinal)
            ? full
            : throw new InvalidArgumentException($"{field}: unknown capability \"{name}\"");
    }

    /// <summary>
    /// The host's bounding set from a CapBnd hex mask (/proc/self/status), as names.
    /// </summary>
    public static IReadOnlyList<string> FromMask(ulong mask) =>
        [.. Known.Where((_, bit) => (mask & (1UL << bit)) != 0)];

    /// <summary>The bounding set of this process, read from /proc/self/status.</summary>
    public static IReadOnlyList<string> HostBoundingSet()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
            {
                return FromMask(Convert.ToUInt64(line["CapBnd:".Length..].Trim(), 16));
            }
        }

        return Known;
    }

    /// <summary>
    /// CRI-O's order: the defaults; "ALL" in add gives every capability; "ALL" in drop removes
    /// every one; then the named adds; then the named drops.
    /// </summary>
    public static List<string> Apply(IEnumerable<string> defaults, IReadOnlyList<string> add, IReadOnlyList<string> drop, IReadOnlyList<string> all)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(drop);
        var result = defaults.Select(c => Normalize(c, "default_capabilities")).ToList();
        static bool IsAll(string c) => c.Trim().Equals("ALL", StringComparison.OrdinalIgnoreCase);
        if (add.Any(IsAll))
        {
            result = [.. all];
        }

        if (drop.Any(IsAll))
        {
            result.Clear();
        }

        result.AddRange(add.Where(c => !IsAll(c)).Select(c => Normalize(c, "capabilities.add_capabilities")));
        var dropped = drop.Where(c => !IsAll(c)).Select(c => Normalize(c, "capabilities.drop_capabilities")).ToHashSet(StringComparer.Ordinal);
        return [.. result.Where(c => !dropped.Contains(c)).Distinct(StringComparer.Ordinal)];
    }
}
