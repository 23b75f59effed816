using System.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace CriO.Cni.Tests.RealPlugins;

/// <summary>
/// Debian's bridge, host-local and portmap plugins on a real namespace, through our manager: the
/// independent implementation of the other side of the protocol. Root (CI runs as root). The
/// tests of this class run one after another (one xunit class), so they never race each other
/// over the host's shared iptables chains.
/// </summary>
public sealed class RealPluginTests
{
    [RealPluginsFact]
    public async Task Bridge_and_portmap_attach_a_pod_and_detach_it_without_leftovers()
    {
        await using var host = await HostNetworkFixture.CreateAsync();
        File.WriteAllText(Path.Combine(host.NetworkDirectory, "10-test.conflist"), host.Conflist);
        var hostPort = Random.Shared.Next(30000, 32000);
        var pod = new PodNetworkAttachment($"realtest{host.Suffix}{Guid.NewGuid():N}", host.NamespacePath, "web", "default", Guid.NewGuid().ToString())
        {
            PortMappings = [new PortMapping(hostPort, 80, "tcp", "")],
        };
        using var manager = new CniNetworkManager(host.Settings, NullLogger.Instance, TimeProvider.System);
        Assert.True(manager.Readiness.Ready, manager.Readiness.Message);

        host.Attached.Add(pod);
        var status = await manager.SetUpAsync(pod, CancellationToken.None);

        var ip = Assert.Single(status.Ips);
        Assert.True(IPNetwork.Parse(host.Subnet).Contains(ip.Ip), $"{ip.Address} not in {host.Subnet}");
        Assert.Equal(host.SubnetPrefix + "1", ip.Gateway);
        Assert.Contains(status.Interfaces, i => i.Name == "eth0" && i.Sandbox == host.NamespacePath);
        Assert.Contains(status.Interfaces, i => i.Name == host.BridgeName);
        var inside = await HostNetworkFixture.MustAsync("ip", "-n", host.NamespaceName, "-4", "addr", "show", "eth0");
        Assert.Contains($"inet {ip.Address}", inside, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(host.AllocationsDirectory, ip.Ip.ToString())), "host-local allocation file");
        Assert.Contains(pod.ContainerId, await HostNetworkFixture.NatTableAsync(), StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(host.CacheDirectory, "results")));

        await manager.TearDownAsync(pod, CancellationToken.None);
        host.Attached.Remove(pod);

        var (exit, _) = await HostNetworkFixture.RunAsync("ip", "-n", host.NamespaceName, "link", "show", "eth0");
        Assert.NotEqual(0, exit);
        Assert.False(File.Exists(Path.Combine(host.AllocationsDirectory, ip.Ip.ToString())), "host-local allocation file after DEL");
        Assert.DoesNotContain(pod.ContainerId, await HostNetworkFixture.NatTableAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(host.CacheDirectory, "results")));
    }

    /// <summary>
    /// CHECK against the real bridge plugin. Without portmap: Debian's portmap (1.1.1) fails
    /// CHECK for a pod without IPv6 (containernetworking/plugins#819, fixed upstream later).
    /// </summary>
    [RealPluginsFact]
    public async Task CHECK_of_a_bridge_network_passes_while_the_pod_is_attached()
    {
        await using var host = await HostNetworkFixture.CreateAsync();
        File.WriteAllText(Path.Combine(host.NetworkDirectory, "10-test.conflist"), host.ConflistOf(withPortmap: false));
        var pod = new PodNetworkAttachment($"realtest{host.Suffix}{Guid.NewGuid():N}", host.NamespacePath, "web", "default", Guid.NewGuid().ToString());
        using var manager = new CniNetworkManager(host.Settings, NullLogger.Instance, TimeProvider.System);
        host.Attached.Add(pod);
        await manager.SetUpAsync(pod, CancellationToken.None);

        await manager.CheckAsync(pod, CancellationToken.None);

        // The interface removed behind the plugins' back: CHECK says so.
        await HostNetworkFixture.MustAsync("ip", "-n", host.NamespaceName, "link", "del", "eth0");
        var error = await Assert.ThrowsAsync<CniPluginException>(() => manager.CheckAsync(pod, CancellationToken.None));
        Assert.Equal("bridge", error.PluginType);
        await manager.TearDownAsync(pod, CancellationToken.None);
        host.Attached.Remove(pod);
    }

    [RealPluginsFact]
    public async Task DEL_after_the_namespace_is_gone_and_the_config_removed_still_releases_the_IP()
    {
        await using var host = await HostNetworkFixture.CreateAsync();
        var config = Path.Combine(host.NetworkDirectory, "10-test.conflist");
        File.WriteAllText(config, host.Conflist);
        var pod = new PodNetworkAttachment($"realtest{host.Suffix}{Guid.NewGuid():N}", host.NamespacePath, "web", "default", Guid.NewGuid().ToString())
        {
            PortMappings = [new PortMapping(Random.Shared.Next(32000, 33000), 8080, "tcp", "")],
        };
        IPAddress address;
        host.Attached.Add(pod);
        using (var before = new CniNetworkManager(host.Settings, NullLogger.Instance, TimeProvider.System))
        {
            address = (await before.SetUpAsync(pod, CancellationToken.None)).Ips[0].Ip;
        }

        // The pod's namespace goes first, the configuration is removed, the daemon restarts.
        await HostNetworkFixture.MustAsync("ip", "netns", "del", host.NamespaceName);
        File.Delete(config);
        using var after = new CniNetworkManager(host.Settings, NullLogger.Instance, TimeProvider.System);
        Assert.False(after.Readiness.Ready);

        await after.TearDownAsync(pod, CancellationToken.None);
        host.Attached.Remove(pod);

        Assert.False(File.Exists(Path.Combine(host.AllocationsDirectory, address.ToString())), "host-local allocation file after DEL");
        Assert.DoesNotContain(pod.ContainerId, await HostNetworkFixture.NatTableAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(host.CacheDirectory, "results")));

        // And again: nothing cached, no network: success.
        await after.TearDownAsync(pod, CancellationToken.None);
    }

    [RealPluginsFact]
    public async Task The_real_bridge_plugin_reports_its_versions()
    {
        await using var host = await HostNetworkFixture.CreateAsync();
        using var manager = new CniNetworkManager(host.Settings, NullLogger.Instance, TimeProvider.System);

        var version = await manager.VersionAsync("bridge", "1.0.0", CancellationToken.None);

        Assert.Contains("1.0.0", version.SupportedVersions);
        Assert.Contains("0.4.0", version.SupportedVersions);
    }
}
