namespace CriO.Pinns.Tests;

/// <summary>Pinning net, ipc and uts namespaces (root: unshare, bind mounts).</summary>
public sealed class PinTests
{
    [Fact]
    public async Task Net_ipc_and_uts_pins_are_new_namespaces_that_outlive_pinns()
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--net", "--ipc", "--uts");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Errors);
        Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["ipc", "net", "uts"], run.Json.Keys.Order(StringComparer.Ordinal));
        foreach (var kind in new[] { "net", "ipc", "uts" })
        {
            var pin = folder.Pin(kind, "pod");
            Assert.Equal(pin, run.Json[kind]);
            Assert.Contains(pin, folder.Mounts());

            // The pinned file is a namespace (nsfs inode), not the host's, and usable after pinns exited.
            var pinned = await Commands.PinnedNamespaceAsync(kind, pin);
            Assert.NotEqual(ProcessInfo.Namespace(Environment.ProcessId, kind), pinned);
            Assert.Equal(pinned, (await Commands.RunAsync("nsenter", $"--{kind}={pin}", "readlink", $"/proc/self/ns/{kind}")).Trim());
        }
    }

    [Fact]
    public async Task The_new_network_namespace_has_only_lo_and_it_is_up()
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--net");

        Assert.True(run.ExitCode == 0, run.ToString());
        var links = (await Commands.RunAsync("nsenter", $"--net={folder.Pin("net", "pod")}", "ip", "-o", "link", "show")).Trim().Split('\n');
        var lo = Assert.Single(links);
        Assert.Contains(": lo: <LOOPBACK,UP,LOWER_UP>", lo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hostname_is_set_in_the_pinned_uts_namespace_only()
    {
        using var folder = new PinsFolder();
        var hostName = Environment.MachineName;

        var run = await folder.PinAsync("pod", "--uts", "--hostname", "pod-hostname-1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("pod-hostname-1", (await Commands.RunAsync("nsenter", $"--uts={folder.Pin("uts", "pod")}", "hostname")).Trim());
        Assert.Equal(hostName, (await Commands.RunAsync("hostname")).Trim());
    }

    [Fact]
    public async Task An_empty_hostname_keeps_the_nodes_name_in_the_new_uts_namespace()
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--uts", "--hostname", "");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal((await Commands.RunAsync("hostname")).Trim(), (await Commands.RunAsync("nsenter", $"--uts={folder.Pin("uts", "pod")}", "hostname")).Trim());
    }

    [Fact]
    public async Task The_answer_has_keys_only_for_what_was_made()
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--ipc");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"{{\"ipc\":\"{folder.Pin("ipc", "pod")}\"}}\n", run.Output);
        Assert.Equal(["ipcns", Path.Join("ipcns", "pod")], folder.Entries());
    }

    [Fact]
    public async Task Pin_folders_are_shared_mount_points_so_unmounts_propagate()
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--net", "--uts");

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var kind in new[] { "net", "uts" })
        {
            var pinFolder = Path.Join(folder.Root, kind + "ns");
            var line = File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == pinFolder);
            Assert.Contains(" shared:", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_existing_pin_fails_with_exit_1_and_leaves_nothing_new()
    {
        using var folder = new PinsFolder();
        Assert.Equal(0, (await folder.PinAsync("first", "--net", "--ipc", "--uts")).ExitCode);
        Assert.Equal(0, (await folder.PinAsync("second", "--ipc")).ExitCode);
        var entries = folder.Entries();
        var mounts = folder.Mounts();
        var ipcBefore = await Commands.RunAsync("stat", "--format=%i", folder.Pin("ipc", "second"));

        // net is pinned first, then ipc fails: the net pin must be undone, the old ipc pin kept.
        var run = await folder.PinAsync("second", "--net", "--ipc", "--uts");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("", run.Output);
        Assert.Contains(folder.Pin("ipc", "second"), run.Errors, StringComparison.Ordinal);
        Assert.Equal(entries, folder.Entries());
        Assert.Equal(mounts.Order(StringComparer.Ordinal), folder.Mounts().Order(StringComparer.Ordinal));
        Assert.Equal(ipcBefore, await Commands.RunAsync("stat", "--format=%i", folder.Pin("ipc", "second")));
    }
}
