using CriO.Cri;
using CriO.Server.Sandbox;
using CriO.Server.Sandbox.Cgroups;

namespace CriO.Server.Tests.Sandbox;

public sealed class SandboxUnitTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crio-podfiles-").FullName;

    [Theory]
    [InlineData("10M", 10_000_000L)]
    [InlineData("1Gi", 1_073_741_824L)]
    [InlineData("500k", 500_000L)]
    [InlineData("1.5M", 1_500_000L)]
    [InlineData("2048", 2048L)]
    public void Bandwidth_quantities_are_bits_per_second(string text, long bits) => Assert.Equal(bits, BandwidthQuantity.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("-1M")]
    public void A_bad_bandwidth_quantity_is_refused(string text) => Assert.Throws<FormatException>(() => BandwidthQuantity.Parse(text));

    [Theory]
    [InlineData("kubepods-besteffort-pod12.slice", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice")]
    [InlineData("system.slice", "/system.slice")]
    [InlineData("-.slice", "/")]
    public void Systemd_slices_expand_to_their_cgroup_path(string slice, string path) => Assert.Equal(path, SystemdManager.SlicePath(slice));

    [Fact]
    public void The_systemd_driver_wants_a_slice_name()
    {
        Assert.Throws<ArgumentException>(() => new SystemdManager().CreatePod("/kubepods/pod1", "id"));
        Assert.Equal("kubepods.slice", new SystemdManager().CreatePod("kubepods.slice", "id").Parent);
    }

    [Fact]
    public void The_pod_name_is_CRI_Os()
    {
        Assert.Equal("k8s_web_default_uid-1_2", SandboxNames.Of(new PodSandboxMetadata { Name = "web", Namespace = "default", Uid = "uid-1", Attempt = 2 }));
    }

    [Fact]
    public void Resolv_conf_comes_from_dns_config_or_the_node()
    {
        PodFiles.WriteResolvConf(_folder, new DNSConfig { Servers = { "10.0.0.10", "fd00::a" }, Searches = { "ns.svc.cluster.local" }, Options = { "ndots:5", "edns0" } });
        Assert.Equal("nameserver 10.0.0.10\nnameserver fd00::a\nsearch ns.svc.cluster.local\noptions ndots:5 edns0\n",
            File.ReadAllText(Path.Combine(_folder, PodFiles.ResolvConf)));

        var nodeFile = Path.Combine(_folder, "node-resolv.conf");
        File.WriteAllText(nodeFile, "nameserver 192.0.2.53\n");
        PodFiles.WriteResolvConf(_folder, null, nodeFile);
        Assert.Equal("nameserver 192.0.2.53\n", File.ReadAllText(Path.Combine(_folder, PodFiles.ResolvConf)));
    }

    [Fact]
    public void Hosts_lists_localhost_and_the_pod_addresses_under_its_name()
    {
        PodFiles.WriteHosts(_folder, "web-0", ["10.88.0.5", "fd00::5"], hostNetwork: false);

        var hosts = File.ReadAllText(Path.Combine(_folder, PodFiles.HostsFile));
        Assert.StartsWith("127.0.0.1\tlocalhost\n", hosts, StringComparison.Ordinal);
        Assert.Contains("10.88.0.5\tweb-0\n", hosts, StringComparison.Ordinal);
        Assert.Contains("fd00::5\tweb-0\n", hosts, StringComparison.Ordinal);
    }

    [Fact]
    public void Cgroup_mounts_are_read_from_mountinfo()
    {
        var mountInfo = Path.Combine(_folder, "mountinfo");
        File.WriteAllLines(mountInfo,
        [
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
        ]);
        var hybrid = CgroupMounts.Read(mountInfo);
        Assert.False(hybrid.IsUnified);
        Assert.Equal(["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/systemd"], hybrid.V1Roots);

        File.WriteAllLines(mountInfo, ["25 20 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"]);
        Assert.True(CgroupMounts.Read(mountInfo).IsUnified);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
