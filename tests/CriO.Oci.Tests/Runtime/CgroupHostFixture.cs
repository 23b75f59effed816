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
    /// <summary>What the fixture found and did, for test messages.</summary>
    public string Notes { get; private set; } = "";

    public async Task InitializeAsync() => Notes = await HybridCgroups.EnsureV1MountsAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class RuntimeCollection : ICollectionFixture<CgroupHostFixture>
{
    public const string Name = "OCI runtimes (root)";
}
