using System.Diagnostics;
using System.Security.Cryptography;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Sandbox;

/// <summary>Pods on a real bridge network (Debian's CNI plugins): addresses, reachability, host ports, and what Stop and Remove take away.</summary>
public sealed class PodNetworkingTests
{
    private const string Busybox = "/bin/busybox";

    [Fact]
    public async Task Two_pods_get_distinct_IPs_reach_each_other_and_a_host_port_reaches_a_pod()
    {
        await using var host = await PodTestHost.StartAsync();
        var hostPort = 30000 + RandomNumberGenerator.GetInt32(20000);
        var serverConfig = host.PodConfig("server");
        serverConfig.PortMappings.Add(new PortMapping { Protocol = Protocol.Tcp, ContainerPort = 8080, HostPort = hostPort });
        var server = await host.RunAsync(serverConfig);
        var client = await host.RunAsync(host.PodConfig("client"));

        var serverStatus = (await host.StatusAsync(server)).Status;
        var clientStatus = (await host.StatusAsync(client)).Status;
        Assert.StartsWith(host.Network.Subnet + ".", serverStatus.Network.Ip, StringComparison.Ordinal);
        Assert.StartsWith(host.Network.Subnet + ".", clientStatus.Network.Ip, StringComparison.Ordinal);
        Assert.NotEqual(serverStatus.Network.Ip, clientStatus.Network.Ip);

        var serverNetns = (await host.InfoAsync(server)).GetProperty("netNamespace").GetString()!;
        var clientNetns = (await host.InfoAsync(client)).GetProperty("netNamespace").GetString()!;
        var www = Directory.CreateDirectory(Path.Combine(host.Folder.Root, "www")).FullName;
        await File.WriteAllTextAsync(Path.Combine(www, "index.html"), "hello from the server pod\n");
        using var httpd = Process.Start(new ProcessStartInfo("nsenter", [$"--net={serverNetns}", Busybox, "httpd", "-f", "-p", "8080", "-h", www])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            var fromPod = await RetryAsync(() => ChildProcess.RunAsync("nsenter",
                [$"--net={clientNetns}", Busybox, "wget", "-q", "-O", "-", $"http://{serverStatus.Network.Ip}:8080/index.html"]));
            Assert.Equal("hello from the server pod\n", fromPod);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var fromNode = await http.GetStringAsync(new Uri($"http://127.0.0.1:{hostPort}/index.html"));
            Assert.Equal("hello from the server pod\n", fromNode);
        }
        finally
        {
            httpd.Kill();
            await httpd.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Stop_takes_the_interface_host_port_rules_and_IP_and_Remove_leaves_nothing_behind()
    {
        await using var host = await PodTestHost.StartAsync();
        var config = host.PodConfig("web");
        config.PortMappings.Add(new PortMapping { Protocol = Protocol.Tcp, ContainerPort = 80, HostPort = 30000 + RandomNumberGenerator.GetInt32(20000) });
        var id = await host.RunAsync(config);
        var ip = (await host.StatusAsync(id)).Status.Network.Ip;
        Assert.Contains(ip, host.Network.AllocatedIps());
        Assert.NotEmpty(await host.Network.NatRulesAsync());
        Assert.NotEmpty(await host.Network.PortsAsync());
        Assert.NotEmpty(CacheEntries(id));
        Assert.NotEmpty(host.CgroupFolders());

        await host.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id });

        Assert.Equal(PodSandboxState.SandboxNotready, (await host.StatusAsync(id)).Status.State);
        Assert.Empty(await host.Network.PortsAsync());
        Assert.Empty(await host.Network.NatRulesAsync());
        Assert.DoesNotContain(ip, host.Network.AllocatedIps());
        var listed = await host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest());
        Assert.Contains(listed.Items, p => p.Id == id && p.State == PodSandboxState.SandboxNotready);

        // Stop is repeatable.
        await host.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id });
        await host.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id });

        Assert.Empty(Leftovers.PodMountsBelow(host.Folder.Root));
        Assert.Empty(CacheEntries(id));
        Assert.DoesNotContain(host.CgroupFolders(), f => f.Contains("podweb", StringComparison.Ordinal));
        var containers = await File.ReadAllTextAsync(Path.Combine(host.Folder.Root, "storage", "overlay-containers", "containers.json"));
        Assert.DoesNotContain(id, containers, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(host.Folder.Root, "storage", "overlay-containers", id)));
        var gone = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await host.StatusAsync(id));
        Assert.Equal(Grpc.Core.StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_pod_is_found_again_after_a_daemon_restart_and_stops_cleanly()
    {
        await using var host = await PodTestHost.StartAsync();
        var id = await host.RunAsync(host.PodConfig("survivor"));
        var ip = (await host.StatusAsync(id)).Status.Network.Ip;

        await host.RestartDaemonAsync();

        var status = (await host.StatusAsync(id)).Status;
        Assert.Equal(PodSandboxState.SandboxReady, status.State);
        Assert.Equal(ip, status.Network.Ip);
        await host.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id });
        Assert.DoesNotContain(ip, host.Network.AllocatedIps());
        Assert.DoesNotContain(Leftovers.PodMountsBelow(host.Folder.Root), m => m.Contains("/ns/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pod_whose_namespace_vanished_while_the_daemon_was_down_comes_back_not_ready_and_Remove_frees_its_IP()
    {
        await using var host = await PodTestHost.StartAsync();
        var id = await host.RunAsync(host.PodConfig("orphan"));
        var ip = (await host.StatusAsync(id)).Status.Network.Ip;
        var netns = (await host.InfoAsync(id)).GetProperty("netNamespace").GetString()!;

        // What a reboot does to a pod: its namespace is gone, the CNI cache and IPAM files stay.
        await host.RestartDaemonAsync(async () =>
        {
            await ChildProcess.RunAsync("umount", [netns]);
            File.Delete(netns);
        });

        Assert.Equal(PodSandboxState.SandboxNotready, (await host.StatusAsync(id)).Status.State);
        Assert.Contains(ip, host.Network.AllocatedIps());
        await host.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id });
        Assert.DoesNotContain(ip, host.Network.AllocatedIps());
        Assert.Empty(CacheEntries(id));
        Assert.Empty(await host.Network.PortsAsync());
    }

    [Fact]
    public async Task The_pod_CIDR_from_UpdateRuntimeConfig_reaches_a_plugin_that_takes_ipRanges()
    {
        await using var host = await PodTestHost.StartAsync(h =>
        {
            // host-local without ranges of its own: it allocates from the runtime's ipRanges.
            var conflist = h.Network.Conflist
                .Replace("\"type\": \"bridge\",", "\"type\": \"bridge\", \"capabilities\": { \"ipRanges\": true },", StringComparison.Ordinal)
                .Replace($"\"ranges\": [[{{ \"subnet\": \"{h.Network.Subnet}.0/24\" }}]],", "", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(h.Folder.NetworkDirectory, "10-bridge.conflist"), conflist);
        }, writeNetwork: false);
        await host.Runtime.UpdateRuntimeConfigAsync(new UpdateRuntimeConfigRequest
        {
            RuntimeConfig = new RuntimeConfig { NetworkConfig = new NetworkConfig { PodCidr = $"{host.Network.Subnet}.128/25" } },
        });

        var id = await host.RunAsync(host.PodConfig("cidr"));

        var ip = System.Net.IPAddress.Parse((await host.StatusAsync(id)).Status.Network.Ip);
        Assert.True(System.Net.IPNetwork.Parse($"{host.Network.Subnet}.128/25").Contains(ip), $"{ip} is outside the pod CIDR");
    }

    internal static IReadOnlyList<string> CacheEntries(string podId) =>
        Directory.Exists("/var/lib/cni/results")
            ? [.. Directory.GetFiles("/var/lib/cni/results").Where(f => f.Contains(podId, StringComparison.Ordinal))]
            : [];

    // The bridge's forwarding takes a moment after ADD; retry a few times, bounded.
    private static async Task<string> RetryAsync(Func<Task<(int ExitCode, string Output, string Errors)>> attempt)
    {
        var last = "";
        for (var i = 0; i < 10; i++)
        {
            var (exitCode, output, errors) = await attempt();
            if (exitCode == 0)
            {
                return output;
            }

            last = $"exit {exitCode}: {errors} {output}";
            await Task.Delay(300);
        }

        throw new InvalidOperationException($"never succeeded: {last}");
    }
}
