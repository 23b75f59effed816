namespace CriO.Pinns.Tests;

/// <summary>--sysctl: namespaced sysctls land in the pod's namespaces, never in the node's.</summary>
public sealed class SysctlTests
{
    [Fact]
    public async Task Namespaced_sysctls_apply_inside_and_leave_the_host_alone()
    {
        using var folder = new PinsFolder();
        var hostPortStart = File.ReadAllText("/proc/sys/net/ipv4/ip_unprivileged_port_start").Trim();
        var hostShmmni = File.ReadAllText("/proc/sys/kernel/shmmni").Trim();
        var portStart = hostPortStart == "0" ? "80" : "0";
        var shmmni = hostShmmni == "1000" ? "1001" : "1000";

        var run = await folder.PinAsync(
            "pod", "--net", "--ipc",
            "--sysctl", $"net.ipv4.ip_unprivileged_port_start={portStart}",
            "--sysctl", $"kernel.shmmni={shmmni}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(portStart, (await Commands.RunAsync("nsenter", $"--net={folder.Pin("net", "pod")}", "cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start")).Trim());
        Assert.Equal(shmmni, (await Commands.RunAsync("nsenter", $"--ipc={folder.Pin("ipc", "pod")}", "cat", "/proc/sys/kernel/shmmni")).Trim());
        Assert.Equal(hostPortStart, File.ReadAllText("/proc/sys/net/ipv4/ip_unprivileged_port_start").Trim());
        Assert.Equal(hostShmmni, File.ReadAllText("/proc/sys/kernel/shmmni").Trim());
    }

    [Fact]
    public async Task Kernel_hostname_as_a_sysctl_lands_in_the_uts_namespace()
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--uts", "--sysctl", "kernel.hostname=from-sysctl");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("from-sysctl", (await Commands.RunAsync("nsenter", $"--uts={folder.Pin("uts", "pod")}", "hostname")).Trim());
        Assert.NotEqual("from-sysctl", Environment.MachineName);
    }

    [Theory]
    [InlineData("kernel.panic=1")]
    [InlineData("vm.swappiness=10")]
    [InlineData("kernel.shm_next_id=5")]
    [InlineData("fs.file-max=1000")]
    public async Task A_sysctl_no_pinned_namespace_holds_exits_2_naming_it_and_leaves_nothing(string sysctl)
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--net", "--ipc", "--uts", "--sysctl", sysctl);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(sysctl.Split('=')[0], run.Errors, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
        Assert.Empty(folder.Entries());
        Assert.Empty(folder.Mounts());
    }

    [Theory]
    [InlineData("net.ipv4.ip_forward=1", "--ipc", "--net")]
    [InlineData("kernel.shmmni=1000", "--net", "--ipc")]
    [InlineData("fs.mqueue.msg_max=20", "--uts", "--ipc")]
    [InlineData("kernel.domainname=example", "--net", "--uts")]
    public async Task A_sysctl_without_its_namespace_exits_2_and_leaves_nothing(string sysctl, string other, string needed)
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", other, "--sysctl", sysctl);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(needed, run.Errors, StringComparison.Ordinal);
        Assert.Empty(folder.Entries());
        Assert.Empty(folder.Mounts());
    }

    [Theory]
    [InlineData("net/ipv4/ip_forward=1")]
    [InlineData("net.ipv4..ip_forward=1")]
    [InlineData(".net.ipv4.ip_forward=1")]
    [InlineData("net.ipv4.ip_forward.=1")]
    [InlineData("net.ipv4.conf.lo/../../../kernel.panic=1")]
    [InlineData("net.ipv4.ip_forward")]
    [InlineData("net.ipv4.ip_forward=")]
    [InlineData("=1")]
    public async Task A_malformed_sysctl_exits_2_and_leaves_nothing(string sysctl)
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--net", "--ipc", "--uts", "--sysctl", sysctl);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(folder.Entries());
    }

    [Fact]
    public async Task A_sysctl_the_kernel_does_not_have_exits_1_and_undoes_the_pins()
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--net", "--sysctl", "net.ipv4.no_such_sysctl=1");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("/proc/sys/net/ipv4/no_such_sysctl", run.Errors, StringComparison.Ordinal);
        Assert.Empty(folder.Files());
        Assert.Empty(folder.PinMounts());
    }
}
