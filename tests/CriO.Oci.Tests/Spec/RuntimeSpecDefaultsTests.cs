using CriO.Oci.Spec;

namespace CriO.Oci.Tests.Spec;

public class RuntimeSpecDefaultsTests
{
    [Fact]
    public void Mounts_are_the_standard_kernel_filesystems_in_order()
    {
        var spec = RuntimeSpecDefaults.Create(["sh"]);

        Assert.Equal(
            ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"],
            spec.Mounts!.Select(m => m.Destination));
        var dev = spec.Mounts!.Single(m => m.Destination == "/dev");
        Assert.Equal("tmpfs", dev.Type);
        Assert.Contains("mode=755", dev.Options!);
        Assert.Contains("size=65536k", dev.Options!);
        var cgroup = spec.Mounts!.Single(m => m.Destination == "/sys/fs/cgroup");
        Assert.Equal("cgroup", cgroup.Type);
        Assert.Contains("ro", cgroup.Options!);
        Assert.Contains("ro", spec.Mounts!.Single(m => m.Destination == "/sys").Options!);
    }

    [Fact]
    public void Masks_and_read_only_paths_are_crio_defaults()
    {
        var linux = RuntimeSpecDefaults.Create(["sh"]).Linux!;

        Assert.Contains("/proc/kcore", linux.MaskedPaths!);
        Assert.Contains("/sys/firmware", linux.MaskedPaths!);
        Assert.Contains("/proc/sysrq-trigger", linux.ReadonlyPaths!);
        Assert.Contains("/proc/sys", linux.ReadonlyPaths!);
    }

    [Fact]
    public void Device_cgroup_denies_all_first_then_allows_the_standard_devices()
    {
        var rules = RuntimeSpecDefaults.Create(["sh"]).Linux!.Resources!.Devices!;

        Assert.False(rules[0].Allow);
        Assert.Equal("rwm", rules[0].Access);
        Assert.Null(rules[0].Major);
        Assert.Contains(rules, r => r.Allow && r.Type == "c" && r.Major == 1 && r.Minor == 3); // /dev/null
        Assert.Contains(rules, r => r.Allow && r.Type == "c" && r.Major == 136 && r.Minor is null); // ptys
    }

    [Fact]
    public void Each_call_returns_an_independent_spec()
    {
        var a = RuntimeSpecDefaults.Create(["sh"]);
        var b = RuntimeSpecDefaults.Create(["sh"]);

        a.Mounts!.Clear();
        a.Linux!.MaskedPaths!.Add("/x");

        Assert.Equal(7, b.Mounts!.Count);
        Assert.DoesNotContain("/x", b.Linux!.MaskedPaths!);
        Assert.Equal(OciJson.Serialize(RuntimeSpecDefaults.Create(["sh"])), OciJson.Serialize(b));
    }
}
