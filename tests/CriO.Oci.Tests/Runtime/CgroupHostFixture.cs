using CriO.Tests.Shared;

namespace CriO.Oci.Tests.Runtime;

/// <summary>
/// Makes a hybrid cgroup host usable by crun, once per test run. On a host with the v1
/// controllers mounted under /sys/fs/cgroup/* and a cgroup2 mount at /sys/fs/cgroup/unified that
/// still holds a controller (hugetlb, on our CI machines), crun 1.8.1 refuses every container,
/// with or without a cgroupsPath and even with <c>--cgroup-manager=disabled</c>:
/// <c>cgroups in hybrid mode not supported, drop all controllers from cgroupv2</c>.
/// runc 1.1.5 does not mind. Mounting each such controller as its own v1 hierarchy (possible
/// while no cgroup2 group has it in <c>cgroup.subtree_control</c>) moves it off cgroup2, and then
/// crun works. A v1 hierarchy without a mount (left after an unmount: the kernel keeps the
/// controller on v1) is mounted too, or crun writes "cgroups" as plain folders into the tmpfs at
/// /sys/fs/cgroup/NAME. The mounts are left in place: that is how such a node should be set up.
/// </summary>
public sealed class CgroupHostFixture : IAsyncLifetime
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>What the fixture found and did, for test messages.</summary>
    public string Notes { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(CgroupRoot, "unified", "cgroup.controllers")))
        {
            Notes = $"no {CgroupRoot}/unified: not a hybrid host, nothing to do";
            return;
        }

        var notes = new List<string>();
        foreach (var controller in UnmountedControllers())
        {
            var target = Path.Combine(CgroupRoot, controller);
            Directory.CreateDirectory(target);
            var (exit, _, errors) = await ChildProcess.RunAsync(
                "mount", ["-t", "cgroup", "-o", controller, "cgroup", target], timeout: TimeSpan.FromSeconds(10));
            notes.Add(exit == 0 ? $"mounted {controller} as v1 at {target}" : $"mount {controller} at {target} failed: {errors.Trim()}");
        }

        Notes = notes.Count == 0 ? "every cgroup controller already has its v1 mount" : string.Join("; ", notes);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// Controllers cgroup2 holds, and v1 controllers (from /proc/self/cgroup) that no cgroup v1
    /// mount serves.
    /// </summary>
    private static IEnumerable<string> UnmountedControllers()
    {
        var mounted = File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(" - ", 2))
            .Where(parts => parts.Length == 2 && parts[1].StartsWith("cgroup ", StringComparison.Ordinal))
            .SelectMany(parts => parts[1].Split(' ')[^1].Split(','))
            .ToHashSet();
        var onCgroup2 = File.ReadAllText(Path.Combine(CgroupRoot, "unified", "cgroup.controllers"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var onV1 = File.ReadLines("/proc/self/cgroup")
            .Select(line => line.Split(':'))
            .Where(fields => fields.Length == 3 && fields[0] != "0" && !fields[1].StartsWith("name=", StringComparison.Ordinal))
            .Select(fields => fields[1])
            .Where(controllers => !controllers.Contains(',', StringComparison.Ordinal));
        return onCgroup2.Concat(onV1).Distinct().Where(c => !mounted.Contains(c)).ToList();
    }
}

[CollectionDefinition(Name)]
public sealed class RuntimeCollection : ICollectionFixture<CgroupHostFixture>
{
    public const string Name = "OCI runtimes (root)";
}
