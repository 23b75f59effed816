using CriO.Cri;
using CriO.Server.Containers.Spec;
using CriO.Server.Errors;
using CriO.Tests.Shared;

namespace CriO.Server.Tests.Containers;

public sealed partial class ContainerSpecBuilderTests
{
    private static ContainerConfig WithDevices(params Device[] devices) => Config(c => c.Devices.Add(devices));

    [Fact]
    public void A_cri_device_gets_a_node_and_a_cgroup_rule_with_its_permissions()
    {
        var spec = ContainerSpecBuilder.Build(Input(WithDevices(new Device { HostPath = "/dev/null", ContainerPath = "/dev/xnull", Permissions = "rw" })));

        var node = Assert.Single(spec.Linux!.Devices!);
        Assert.Equal(("/dev/xnull", "c", 1L, 3L, 0x1b6u, 0u, 0u), (node.Path, node.Type, node.Major, node.Minor, node.FileMode!.Value, node.Uid!.Value, node.Gid!.Value));
        var rule = spec.Linux.Resources!.Devices!.Last();
        Assert.Equal((true, "c", 1L, 3L, "rw"), (rule.Allow, rule.Type, rule.Major, rule.Minor, rule.Access));
        Assert.False(spec.Linux.Resources.Devices![0].Allow);
    }

    [Fact]
    public async Task A_folder_brings_every_device_under_it_and_passes_over_the_rest()
    {
        var folder = Path.Join(_root, "devs");
        Directory.CreateDirectory(Path.Join(folder, "sub"));
        await MakeCharDeviceAsync(Path.Join(folder, "zero"), "1", "5");
        await MakeCharDeviceAsync(Path.Join(folder, "sub/full"), "1", "7");
        File.WriteAllText(Path.Join(folder, "notes"), "not a device");
        File.CreateSymbolicLink(Path.Join(folder, "link"), "/dev/null");

        var spec = ContainerSpecBuilder.Build(Input(WithDevices(new Device { HostPath = folder, ContainerPath = "/dev/mine", Permissions = "mrw" })));

        Assert.Equal(["/dev/mine/sub/full", "/dev/mine/zero"], spec.Linux!.Devices!.Select(d => d.Path).Order());
        Assert.Contains(spec.Linux.Resources!.Devices!, r => r is { Allow: true, Major: 1, Minor: 7, Access: "mrw" });
    }

    public static TheoryData<string, string, string, string> BadDevices => new()
    {
        { "/dev/no-such-device", "/dev/x", "rwm", "does not exist" },
        { "/etc/hostname", "/dev/x", "rwm", "is not a device node" },
        { "dev/null", "/dev/x", "rwm", "host_path" },
        { "/dev/null", "dev/x", "rwm", "container_path" },
        { "/dev/null", "/dev/../etc/x", "rwm", "container_path" },
        { "/dev/null", "/dev/x", "rwx", "permissions" },
        { "/dev/null", "/dev/x", "rrw", "permissions" },
    };

    [Theory]
    [MemberData(nameof(BadDevices))]
    public void A_bad_device_is_invalid_argument_naming_the_field(string host, string container, string permissions, string expected)
    {
        var e = Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.Build(
            Input(WithDevices(new Device { HostPath = host, ContainerPath = container, Permissions = permissions }))));
        Assert.Contains("devices[0]", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_privileged_container_gets_the_hosts_devices_unless_the_handler_says_not()
    {
        var privileged = Config(c => c.Linux.SecurityContext.Privileged = true);

        var spec = ContainerSpecBuilder.Build(Input(privileged));
        var paths = spec.Linux!.Devices!.Select(d => d.Path).ToList();
        Assert.Contains("/dev/null", paths);
        Assert.Contains("/dev/kmsg", paths);
        Assert.DoesNotContain("/dev/console", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/dev/pts/", StringComparison.Ordinal) || p.StartsWith("/dev/shm/", StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p is "/dev/stdin" or "/dev/fd");
        var rule = Assert.Single(spec.Linux.Resources!.Devices!);
        Assert.Equal((true, null, "rwm"), (rule.Allow, rule.Type, rule.Access));

        var without = ContainerSpecBuilder.Build(Input(privileged, defaults: Defaults with { PrivilegedWithoutHostDevices = true }));
        Assert.Null(without.Linux!.Devices);
    }

    [Fact]
    public void Additional_devices_come_to_every_container_and_ownership_can_follow_the_user()
    {
        var defaults = Defaults with { AdditionalDevices = ["/dev/zero:/dev/z:r", "/dev/full"], DeviceOwnershipFromSecurityContext = true };
        var config = Config(c => c.Linux.SecurityContext.RunAsUser = new Int64Value { Value = 1000 });

        var spec = ContainerSpecBuilder.Build(Input(config, defaults: defaults));

        Assert.Equal(["/dev/z", "/dev/full"], spec.Linux!.Devices!.Select(d => d.Path));
        Assert.All(spec.Linux.Devices!, d => Assert.Equal((1000u, 1000u), (d.Uid!.Value, d.Gid!.Value)));
        Assert.Contains(spec.Linux.Resources!.Devices!, r => r is { Allow: true, Major: 1, Minor: 5, Access: "r" });
    }

    [Theory]
    [InlineData("/dev/fuse", "/dev/fuse", "/dev/fuse", "rwm")]
    [InlineData("/dev/fuse:rw", "/dev/fuse", "/dev/fuse", "rw")]
    [InlineData("/dev/sda:/dev/xvda", "/dev/sda", "/dev/xvda", "rwm")]
    [InlineData("/dev/sda:/dev/xvda:m", "/dev/sda", "/dev/xvda", "m")]
    public void Additional_device_entries_parse_as_podman_reads_them(string entry, string host, string container, string permissions) =>
        Assert.Equal((host, container, permissions), ContainerSpecBuilder.ParseAdditionalDevice(entry));

    [Theory]
    [InlineData("dev/fuse")]
    [InlineData("/dev/a:/dev/b:rw:extra")]
    [InlineData("/dev/a:/dev/b:rwz")]
    public void A_bad_additional_device_entry_is_refused(string entry) =>
        Assert.Throws<InvalidArgumentException>(() => ContainerSpecBuilder.ParseAdditionalDevice(entry));

    private static async Task MakeCharDeviceAsync(string path, string major, string minor)
    {
        var (exitCode, _, errors) = await ChildProcess.RunAsync("mknod", [path, "c", major, minor]);
        Assert.True(exitCode == 0, errors);
    }
}
