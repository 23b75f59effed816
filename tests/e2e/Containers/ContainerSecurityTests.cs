using System.Globalization;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;

namespace CriO.E2E.Tests.Containers;

/// <summary>What a container sees from inside: its user, root file system, capabilities, seccomp, env and args, mounts, namespaces, limits.</summary>
public sealed class ContainerSecurityTests
{
    [Fact]
    public async Task Users_come_from_run_as_user_run_as_username_and_the_images_USER()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("users"));

        var byUid = await setup.StartAsync(pod, "byuid", ["sleep", "600"], c => c.Linux = new LinuxContainerConfig
        {
            SecurityContext = new LinuxContainerSecurityContext { RunAsUser = new Int64Value { Value = 1000 }, RunAsGroup = new Int64Value { Value = 2000 } },
        });
        Assert.Equal("uid=1000(app) gid=2000(extra) groups=2000(extra)", (await setup.ExecAsync(byUid, "id")).Output.Trim());

        var byName = await setup.StartAsync(pod, "byname", ["sleep", "600"], c => c.Linux = new LinuxContainerConfig
        {
            SecurityContext = new LinuxContainerSecurityContext { RunAsUsername = "app", SupplementalGroups = { 65534 } },
        });
        var named = (await setup.ExecAsync(byName, "id")).Output.Trim();
        Assert.StartsWith("uid=1000(app) gid=1000(app)", named, StringComparison.Ordinal);
        Assert.Contains("2000(extra)", named, StringComparison.Ordinal);
        Assert.Contains("65534(nogroup)", named, StringComparison.Ordinal);

        var fromImage = await setup.StartAsync(pod, "fromimage", ["sleep", "600"], image: setup.UserImageName);
        Assert.StartsWith("uid=1000(app) gid=1000(app)", (await setup.ExecAsync(fromImage, "id")).Output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_only_root_capabilities_seccomp_and_env_and_args_apply_inside()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("secure"));

        var locked = await setup.StartAsync(pod, "locked", ["sleep", "600"], c => c.Linux = new LinuxContainerConfig
        {
            SecurityContext = new LinuxContainerSecurityContext
            {
                ReadonlyRootfs = true,
                Capabilities = new Capability { AddCapabilities = { "NET_ADMIN" }, DropCapabilities = { "CHOWN" } },
                Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault },
            },
        });
        var touch = await setup.ExecAsync(locked, "touch", "/newfile");
        Assert.NotEqual(0, touch.ExitCode);
        Assert.Contains("Read-only file system", touch.Output, StringComparison.Ordinal);
        var effective = Capabilities(await setup.ExecAsync(locked, "grep", "CapEff", "/proc/self/status"));
        Assert.NotEqual(0UL, effective & (1UL << 12));   // CAP_NET_ADMIN added
        Assert.Equal(0UL, effective & (1UL << 0));       // CAP_CHOWN dropped
        Assert.NotEqual(0UL, effective & (1UL << 5));    // CAP_KILL, a default, kept
        Assert.Equal(0UL, effective & (1UL << 21));      // CAP_SYS_ADMIN never by default
        var blocked = await setup.ExecAsync(locked, "unshare", "-U", "true");
        Assert.NotEqual(0, blocked.ExitCode);

        var open = await setup.StartAsync(pod, "open", ["sleep", "600"], c => c.Linux = new LinuxContainerConfig
        {
            SecurityContext = new LinuxContainerSecurityContext { Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Unconfined } },
        });
        Assert.Equal(0, (await setup.ExecAsync(open, "unshare", "-U", "true")).ExitCode);

        var echo = await setup.CreateAsync(pod, "echo", ["sh", "-c"], c =>
        {
            c.Args.Add("echo \"$GREETING $0 $PATH\"");
            c.Envs.Add(new KeyValue { Key = "GREETING", Value = "hello" });
        });
        await setup.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = echo });
        var done = await setup.WaitExitedAsync(echo);
        var line = (await CriO.Conmon.Client.CriLogParser.ReadFileAsync(done.LogPath, CancellationToken.None)).Single().Text;
        Assert.StartsWith("hello sh /usr/local/sbin:", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// Regression: a container that named no seccomp profile ran under RuntimeDefault; the CRI,
    /// and CRI-O since 1.30, run it unconfined (the kubelet asks for RuntimeDefault when it wants it).
    /// </summary>
    [Fact]
    public async Task Seccomp_filters_only_a_container_that_asks_for_a_profile()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("seccomp"));
        static Action<ContainerConfig> Asking(SecurityProfile? profile) => c => c.Linux = new LinuxContainerConfig
        {
            SecurityContext = new LinuxContainerSecurityContext { Seccomp = profile },
        };

        var bare = await setup.StartAsync(pod, "bare", ["sleep", "600"]);
        var none = await setup.StartAsync(pod, "none", ["sleep", "600"], Asking(null));
        var filtered = await setup.StartAsync(pod, "filtered", ["sleep", "600"], Asking(new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault }));
        var open = await setup.StartAsync(pod, "open", ["sleep", "600"], Asking(new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Unconfined }));

        // The kernel's seccomp mode of the container's first process: 0 none, 2 a filter.
        async Task<string> ModeAsync(string id) => (await setup.ExecAsync(id, "grep", "^Seccomp:", "/proc/1/status")).Output.Trim();
        Assert.Equal("Seccomp:\t0", await ModeAsync(bare));
        Assert.Equal("Seccomp:\t0", await ModeAsync(none));
        Assert.Equal("Seccomp:\t2", await ModeAsync(filtered));
        Assert.Equal("Seccomp:\t0", await ModeAsync(open));
    }

    /// <summary>Regression: a run_as_group with no user to go with was accepted (CRI-O and critest refuse it).</summary>
    [Fact]
    public async Task Run_as_group_without_a_user_is_refused_naming_the_field_and_leaves_nothing()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("groupless"));
        var storageBefore = StorageContainers(setup);
        var mountsBefore = Leftovers.PodMountsBelow(setup.Host.Folder.Root);

        var refused = await Assert.ThrowsAsync<RpcException>(() => setup.CreateAsync(pod, "groupless", ["sleep", "600"], c => c.Linux = new LinuxContainerConfig
        {
            SecurityContext = new LinuxContainerSecurityContext { RunAsGroup = new Int64Value { Value = 2000 } },
        }));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("run_as_group", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await setup.Runtime.ListContainersAsync(new ListContainersRequest())).Containers);
        Assert.Equal(storageBefore, StorageContainers(setup));
        Assert.Equal(mountsBefore, Leftovers.PodMountsBelow(setup.Host.Folder.Root));
        await setup.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod });
        await setup.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod });
        Assert.Empty(await LeakCheck.FindAsync(setup.Host, [pod]));
    }

    [Fact]
    public async Task Bind_mounts_are_read_only_or_writable_as_asked()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("mounts"));
        var shared = Directory.CreateDirectory(Path.Combine(setup.Host.Folder.Root, "shared")).FullName;
        await File.WriteAllTextAsync(Path.Combine(shared, "from-host"), "host\n");

        var id = await setup.StartAsync(pod, "mounter", ["sleep", "600"], c =>
        {
            c.Mounts.Add(new Mount { ContainerPath = "/ro", HostPath = shared, Readonly = true });
            c.Mounts.Add(new Mount { ContainerPath = "/rw", HostPath = shared });
        });

        Assert.Equal("host\n", (await setup.ExecAsync(id, "cat", "/ro/from-host")).Output);
        Assert.NotEqual(0, (await setup.ExecAsync(id, "touch", "/ro/denied")).ExitCode);
        Assert.Equal(0, (await setup.ExecAsync(id, "sh", "-c", "echo container > /rw/from-container")).ExitCode);
        Assert.Equal("container\n", await File.ReadAllTextAsync(Path.Combine(shared, "from-container")));
        var status = (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id })).Status;
        Assert.Contains(status.Mounts, m => m.ContainerPath == "/ro" && m.Readonly);
    }

    [Fact]
    public async Task Devices_asked_for_are_in_the_container_and_a_privileged_one_gets_the_hosts()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("devices"));

        var plain = await setup.StartAsync(pod, "plain", ["sleep", "600"], c =>
            c.Devices.Add(new Device { HostPath = "/dev/zero", ContainerPath = "/dev/myzero", Permissions = "mrw" }));
        Assert.Equal("00 00 00 00", (await setup.ExecAsync(plain, "sh", "-c", "head -c 4 /dev/myzero | od -An -tx1")).Output.Trim());
        Assert.Contains("c 1:5 rwm", (await setup.ExecAsync(plain, "cat", "/sys/fs/cgroup/devices/devices.list")).Output, StringComparison.Ordinal);
        Assert.NotEqual(0, (await setup.ExecAsync(plain, "test", "-e", "/dev/kmsg")).ExitCode);

        var privileged = await setup.StartAsync(pod, "privileged", ["sleep", "600"], c => c.Linux = new LinuxContainerConfig
        {
            SecurityContext = new LinuxContainerSecurityContext { Privileged = true },
        });
        Assert.Equal(0, (await setup.ExecAsync(privileged, "test", "-c", "/dev/kmsg")).ExitCode);
        if (File.Exists("/dev/loop0"))
        {
            Assert.Equal(0, (await setup.ExecAsync(privileged, "test", "-b", "/dev/loop0")).ExitCode);
        }
    }

    [Fact]
    public async Task Containers_of_a_pod_share_its_network_and_IPC_and_with_a_pod_PID_namespace_see_each_other()
    {
        await using var setup = await ContainerHost.StartAsync();
        var config = setup.Host.PodConfig("together");
        config.Linux.SecurityContext.NamespaceOptions.Pid = NamespaceMode.Pod;
        var pod = await setup.Host.RunAsync(config);
        // As the kubelet sends it for shareProcessNamespace: POD on each container too.
        static void SharePid(ContainerConfig c) => c.Linux = new LinuxContainerConfig
        {
            SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = new NamespaceOption { Pid = NamespaceMode.Pod } },
        };
        var first = await setup.StartAsync(pod, "first", ["sleep", "601"], SharePid);
        var second = await setup.StartAsync(pod, "second", ["sleep", "602"], SharePid);

        foreach (var kind in new[] { "net", "ipc", "uts", "pid" })
        {
            Assert.StartsWith($"{kind}:[", (await setup.ExecAsync(first, "readlink", $"/proc/self/ns/{kind}")).Output, StringComparison.Ordinal);
            Assert.Equal((await setup.ExecAsync(first, "readlink", $"/proc/self/ns/{kind}")).Output, (await setup.ExecAsync(second, "readlink", $"/proc/self/ns/{kind}")).Output);
        }

        Assert.NotEqual((await setup.ExecAsync(first, "readlink", "/proc/self/ns/mnt")).Output, (await setup.ExecAsync(second, "readlink", "/proc/self/ns/mnt")).Output);
        Assert.Contains("sleep 602", (await setup.ExecAsync(first, "ps")).Output, StringComparison.Ordinal);
        Assert.Equal("together", (await setup.ExecAsync(second, "hostname")).Output.Trim());
        var ip = (await setup.Host.StatusAsync(pod)).Status.Network.Ip;
        Assert.Contains(ip, (await setup.ExecAsync(first, "ip", "-4", "addr", "show", "eth0")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CPU_and_memory_limits_are_in_the_cgroup_UpdateContainerResources_changes_them_and_a_memory_hog_is_OOMKilled()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("limits"));
        var limited = await setup.StartAsync(pod, "limited", ["sleep", "600"], c => c.Linux = new LinuxContainerConfig
        {
            Resources = new LinuxContainerResources { MemoryLimitInBytes = 64 * 1024 * 1024, CpuQuota = 50_000, CpuPeriod = 100_000, CpuShares = 512 },
        });
        Assert.Equal("67108864", (await setup.ExecAsync(limited, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")).Output.Trim());
        Assert.Equal("50000", (await setup.ExecAsync(limited, "cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us")).Output.Trim());
        Assert.Equal("512", (await setup.ExecAsync(limited, "cat", "/sys/fs/cgroup/cpu/cpu.shares")).Output.Trim());

        await setup.Runtime.UpdateContainerResourcesAsync(new UpdateContainerResourcesRequest
        {
            ContainerId = limited,
            Linux = new LinuxContainerResources { MemoryLimitInBytes = 96 * 1024 * 1024, CpuQuota = 80_000, CpuPeriod = 100_000, CpuShares = 512 },
        });
        Assert.Equal("100663296", (await setup.ExecAsync(limited, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")).Output.Trim());
        Assert.Equal("80000", (await setup.ExecAsync(limited, "cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us")).Output.Trim());

        var hog = await setup.StartAsync(pod, "hog", ["sh", "-c", "head -c 500000000 /dev/zero | tail"], c => c.Linux = new LinuxContainerConfig
        {
            Resources = new LinuxContainerResources { MemoryLimitInBytes = 32 * 1024 * 1024 },
        });
        var killed = await setup.WaitExitedAsync(hog);
        Assert.Equal("OOMKilled", killed.Reason);
        Assert.NotEqual(0, killed.ExitCode);
    }

    // The IDs of the store's containers (a pod's own storage container among them).
    private static List<string> StorageContainers(ContainerHost setup)
    {
        var file = Path.Combine(setup.Host.Folder.Root, "storage", "overlay-containers", "containers.json");
        return File.Exists(file)
            ? [.. System.Text.Json.JsonDocument.Parse(File.ReadAllText(file)).RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()!).Order()]
            : [];
    }

    private static ulong Capabilities((int ExitCode, string Output) status) =>
        ulong.Parse(status.Output.Split(':')[1].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
