namespace CriO.Server.Sandbox.Cgroups;

/// <summary>
/// The cgroup hierarchies mounted on this node, from /proc/self/mountinfo: the v1 ones by
/// mount point (one per controller set, and named ones such as name=systemd), whether
/// /sys/fs/cgroup itself is the unified (v2) hierarchy, and on a hybrid node the cgroup2 mount
/// beside the v1 ones (/sys/fs/cgroup/unified), where the OCI runtimes also put containers.
/// </summary>
public sealed record CgroupMounts(bool IsUnified, string UnifiedRoot, IReadOnlyList<string> V1Roots, string? HybridRoot = null)
{
    public const string Root = "/sys/fs/cgroup";

    public static CgroupMounts Read(string mountInfo = "/proc/self/mountinfo")
    {
        var v1 = new List<string>();
        var unified = false;
        string? hybrid = null;
        foreach (var line in File.ReadLines(mountInfo))
        {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (separator < 0 || separator + 1 >= fields.Length)
            {
                continue;
            }

            var mountPoint = fields[4].Replace("\\040", " ", StringComparison.Ordinal);
            var type = fields[separator + 1];
            if (type == "cgroup2" && mountPoint == Root)
            {
                unified = true;
            }
            else if (type == "cgroup2" && mountPoint.StartsWith(Root + "/", StringComparison.Ordinal))
            {
                hybrid = mountPoint;
            }
            else if (type == "cgroup" && mountPoint.StartsWith(Root + "/", StringComparison.Ordinal))
            {
                v1.Add(mountPoint);
            }
        }

        return new CgroupMounts(unified, Root, v1, unified ? null : hybrid);
    }
}
