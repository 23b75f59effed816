using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;
using Grpc.Core;

namespace CriO.E2E.Tests.Sandbox;

/// <summary>RunPodSandbox's files and namespaces, names, lists and bad input, against the real daemon.</summary>
public sealed class PodSandboxTests
{
    [Fact]
    public async Task DNS_config_and_hostname_land_in_the_files_and_namespaces_and_a_namespaced_sysctl_applies_inside()
    {
        await using var host = await PodTestHost.StartAsync();
        var config = host.PodConfig("files");
        config.Linux.Sysctls["net.ipv4.ip_unprivileged_port_start"] = "81";
        config.Linux.Sysctls["kernel.shmmni"] = "2048";
        var id = await host.RunAsync(config);
        var info = await host.InfoAsync(id);

        Assert.Equal("nameserver 10.96.0.10\nsearch e2e.svc.cluster.local svc.cluster.local\noptions ndots:5\n",
            await File.ReadAllTextAsync(info.GetProperty("resolvPath").GetString()!));
        Assert.Equal("files\n", await File.ReadAllTextAsync(info.GetProperty("hostnamePath").GetString()!));
        var hosts = await File.ReadAllTextAsync(info.GetProperty("hostsPath").GetString()!);
        Assert.Contains($"{(await host.StatusAsync(id)).Status.Network.Ip}\tfiles", hosts, StringComparison.Ordinal);
        Assert.Contains(info.GetProperty("shmPath").GetString()!, Leftovers.MountsBelow(host.Folder.Root));

        var uts = info.GetProperty("utsNamespace").GetString()!;
        var net = info.GetProperty("netNamespace").GetString()!;
        var ipc = info.GetProperty("ipcNamespace").GetString()!;
        Assert.Equal("files", (await ChildProcess.RunAsync("nsenter", [$"--uts={uts}", "hostname"])).Output.Trim());
        Assert.Equal("81", (await ChildProcess.RunAsync("nsenter", [$"--net={net}", "cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start"])).Output.Trim());
        Assert.Equal("2048", (await ChildProcess.RunAsync("nsenter", [$"--ipc={ipc}", "cat", "/proc/sys/kernel/shmmni"])).Output.Trim());
        Assert.NotEqual("81", (await File.ReadAllTextAsync("/proc/sys/net/ipv4/ip_unprivileged_port_start")).Trim());

        var status = await host.StatusAsync(id);
        Assert.Equal("kept", status.Status.Annotations["e2e/annotation"]);
        Assert.Equal("files", status.Status.Labels["app"]);
        Assert.Equal("runc", status.Status.RuntimeHandler);
        Assert.True(status.Status.CreatedAt > DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds() * 1_000_000);
    }

    [Fact]
    public async Task A_host_network_pod_shares_the_nodes_network_namespace()
    {
        await using var host = await PodTestHost.StartAsync();
        var config = host.PodConfig("hostnet");
        config.Linux.SecurityContext.NamespaceOptions.Network = NamespaceMode.Node;
        config.Linux.SecurityContext.NamespaceOptions.Ipc = NamespaceMode.Node;
        var id = await host.RunAsync(config);

        var status = (await host.StatusAsync(id)).Status;
        var info = await host.InfoAsync(id);
        Assert.Equal("", status.Network.Ip);
        Assert.Equal("", info.GetProperty("netNamespace").GetString());
        Assert.Equal("/dev/shm", info.GetProperty("shmPath").GetString());
        Assert.Equal(NamespaceMode.Node, status.Linux.Namespaces.Options.Network);
        Assert.Empty(PodNetworkingTests.CacheEntries(id));
        Assert.Equal(await File.ReadAllTextAsync("/etc/hosts"), await File.ReadAllTextAsync(info.GetProperty("hostsPath").GetString()!));

        var refused = host.PodConfig("hostnet-sysctl");
        refused.Linux.SecurityContext.NamespaceOptions.Network = NamespaceMode.Node;
        refused.Linux.Sysctls["net.ipv4.ip_forward"] = "0";
        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.RunAsync(refused));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("net.ipv4.ip_forward", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_PID_namespace_gets_a_pause_process_that_Stop_ends()
    {
        await using var host = await PodTestHost.StartAsync();
        var config = host.PodConfig("sharedpid");
        config.Linux.SecurityContext.NamespaceOptions.Pid = NamespaceMode.Pod;
        var id = await host.RunAsync(config);
        var info = await host.InfoAsync(id);
        var pid = info.GetProperty("pid").GetInt32();

        Assert.True(pid > 0);
        Assert.NotEqual(File.ResolveLinkTarget("/proc/self/ns/pid", false)!.ToString(), File.ResolveLinkTarget($"/proc/{pid}/ns/pid", false)!.ToString());
        var netnsInode = (await ChildProcess.RunAsync("stat", ["-L", "-c", "%i", info.GetProperty("netNamespace").GetString()!])).Output.Trim();
        Assert.Contains(netnsInode, File.ResolveLinkTarget($"/proc/{pid}/ns/net", false)!.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(host.Crio.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), PPid(pid));
        Assert.Equal(Path.Combine(host.Folder.NamespacesDirectory, "crio-pause-root"), File.ResolveLinkTarget($"/proc/{pid}/root", false)!.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(host.Folder.NamespacesDirectory, "crio-pause-root")));
        var procs = host.CgroupFolders().Where(f => f.EndsWith("crio-" + id, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(procs);
        Assert.All(procs, f => Assert.Contains(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(f, "cgroup.procs")), StringComparison.Ordinal));

        await host.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id });

        Assert.True(!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_name_is_reserved_until_Remove_and_Stop_and_Remove_of_unknown_ids_succeed()
    {
        await using var host = await PodTestHost.StartAsync();
        var config = host.PodConfig("named", uid: "uid-1");
        config.Linux.SecurityContext.NamespaceOptions.Network = NamespaceMode.Node;
        var id = await host.RunAsync(config);

        var conflict = await Assert.ThrowsAsync<RpcException>(async () => await host.RunAsync(config));
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);
        Assert.Contains(id, conflict.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("k8s_named_e2e_uid-1_0", conflict.Status.Detail, StringComparison.Ordinal);

        await host.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = new string('a', 64) });
        await host.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = new string('a', 64) });
        await host.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id[..12] });
        await host.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id });

        var again = await host.RunAsync(config);
        Assert.NotEqual(id, again);
    }

    [Fact]
    public async Task ListPodSandbox_filters_by_id_prefix_state_and_labels()
    {
        await using var host = await PodTestHost.StartAsync();
        var ids = new List<string>();
        foreach (var name in new[] { "alpha", "beta", "gamma" })
        {
            var config = host.PodConfig(name);
            config.Linux.SecurityContext.NamespaceOptions.Network = NamespaceMode.Node;
            ids.Add(await host.RunAsync(config));
        }

        await host.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = ids[1] });

        async Task<IReadOnlyList<string>> ListAsync(PodSandboxFilter filter) =>
            [.. (await host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter })).Items.Select(p => p.Id)];

        Assert.Equal(3, (await ListAsync(new PodSandboxFilter())).Count);
        Assert.Equal([ids[0]], await ListAsync(new PodSandboxFilter { Id = ids[0][..10] }));
        Assert.Equal([ids[1]], await ListAsync(new PodSandboxFilter { State = new PodSandboxStateValue { State = PodSandboxState.SandboxNotready } }));
        Assert.Equal(2, (await ListAsync(new PodSandboxFilter { State = new PodSandboxStateValue { State = PodSandboxState.SandboxReady } })).Count);
        Assert.Equal([ids[2]], await ListAsync(new PodSandboxFilter { LabelSelector = { ["app"] = "gamma", ["tier"] = "e2e" } }));
        Assert.Empty(await ListAsync(new PodSandboxFilter { LabelSelector = { ["app"] = "gamma", ["tier"] = "other" } }));
        var entry = (await host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { Id = ids[2] } })).Items.Single();
        Assert.Equal("gamma", entry.Metadata.Name);
        Assert.Equal("kept", entry.Annotations["e2e/annotation"]);
    }

    [Theory]
    [InlineData("name", "config.metadata.name")]
    [InlineData("namespace", "config.metadata.namespace")]
    [InlineData("uid", "config.metadata.uid")]
    [InlineData("sysctl", "kernel.panic")]
    [InlineData("handler", "runtime_handler")]
    [InlineData("dns", "config.dns_config.servers")]
    public async Task Bad_input_is_refused_with_InvalidArgument_naming_the_field_and_leaves_nothing(string what, string named)
    {
        await using var host = await PodTestHost.StartAsync();
        var config = host.PodConfig("bad");
        var request = new RunPodSandboxRequest { Config = config };
        switch (what)
        {
            case "name": config.Metadata.Name = ""; break;
            case "namespace": config.Metadata.Namespace = ""; break;
            case "uid": config.Metadata.Uid = ""; break;
            case "sysctl": config.Linux.Sysctls["kernel.panic"] = "1"; break;
            case "handler": request.RuntimeHandler = "no-such-handler"; break;
            case "dns": config.DnsConfig.Servers.Add("not-an-ip"); break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.Runtime.RunPodSandboxAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(named, error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items);
        Assert.Empty(host.CgroupFolders());
    }

    private static string PPid(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("PPid:", StringComparison.Ordinal))[5..].Trim();
}
