using CriO.Cni.Tests.Fakes;

namespace CriO.Cni.Tests.Config;

/// <summary>Configuration loading and the choice of the default network, which Status and SetUp share.</summary>
public sealed class NetworkConfigLoaderTests : IDisposable
{
    private readonly CniTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void Loads_conflist_conf_and_json_in_file_name_order_and_ignores_other_files()
    {
        _bed.WriteConfig("30-list.conflist", Networks.List("listnet", "1.0.0", "bridge", "portmap"));
        _bed.WriteConfig("10-single.conf", """{"cniVersion":"0.4.0","name":"confnet","type":"bridge"}""");
        _bed.WriteConfig("20-single.json", """{"cniVersion":"0.3.1","name":"jsonnet","type":"ptp"}""");
        _bed.WriteConfig("05-notes.txt", """{"name":"ignored","type":"x"}""");

        var (networks, problems) = NetworkConfigLoader.LoadAll(_bed.NetworkDirectory);

        Assert.Empty(problems);
        Assert.Equal(["confnet", "jsonnet", "listnet"], networks.Select(n => n.Name));
        Assert.Equal(["bridge"], networks[0].PluginTypes);
        Assert.Equal("0.4.0", networks[0].CniVersion);
        Assert.Equal(["bridge", "portmap"], networks[2].PluginTypes);
        Assert.Equal(Path.Combine(_bed.NetworkDirectory, "30-list.conflist"), networks[2].Path);
    }

    [Fact]
    public void A_broken_file_is_reported_and_skipped()
    {
        _bed.WriteConfig("10-broken.conflist", "{ not json");
        _bed.WriteConfig("20-noplugins.conflist", """{"cniVersion":"1.0.0","name":"empty","plugins":[]}""");
        _bed.WriteConfig("30-notype.conf", """{"cniVersion":"1.0.0","name":"notype"}""");
        _bed.WriteConfig("40-good.conflist", Networks.List("good", "1.0.0", "bridge"));

        var (networks, problems) = NetworkConfigLoader.LoadAll(_bed.NetworkDirectory);

        Assert.Equal(["good"], networks.Select(n => n.Name));
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("20-noplugins.conflist", StringComparison.Ordinal) && p.Contains("non-empty array", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("30-notype.conf", StringComparison.Ordinal) && p.Contains("\"type\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_folder_has_no_networks()
    {
        var (networks, problems) = NetworkConfigLoader.LoadAll(Path.Combine(_bed.Root, "absent"));

        Assert.Empty(networks);
        Assert.Empty(problems);
    }

    [Fact]
    public void The_default_network_is_the_first_by_file_name()
    {
        _bed.WritePlugin("first");
        _bed.WriteConfig("20-b.conflist", Networks.List("bnet", "1.0.0", "first"));
        _bed.WriteConfig("10-a.conflist", Networks.List("anet", "1.0.0", "first"));

        var readiness = NetworkReadiness.Check(_bed.NetworkDirectory, [_bed.PluginDirectory], "");

        Assert.True(readiness.Ready);
        Assert.Equal("anet", readiness.Network!.Name);
    }

    [Fact]
    public void A_named_default_network_wins_over_file_order()
    {
        _bed.WritePlugin("first");
        _bed.WriteConfig("10-a.conflist", Networks.List("anet", "1.0.0", "first"));
        _bed.WriteConfig("20-b.conflist", Networks.List("bnet", "1.0.0", "first"));

        var readiness = NetworkReadiness.Check(_bed.NetworkDirectory, [_bed.PluginDirectory], "bnet");

        Assert.True(readiness.Ready);
        Assert.Equal("bnet", readiness.Network!.Name);
    }

    [Fact]
    public void A_named_default_network_that_is_absent_is_not_ready()
    {
        _bed.WritePlugin("first");
        _bed.WriteConfig("10-a.conflist", Networks.List("anet", "1.0.0", "first"));

        var readiness = NetworkReadiness.Check(_bed.NetworkDirectory, [_bed.PluginDirectory], "bnet");

        Assert.False(readiness.Ready);
        Assert.Equal(NetworkReadiness.NotReadyReason, readiness.Reason);
        Assert.Contains("no CNI network named \"bnet\"", readiness.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_whose_plugin_is_missing_is_not_ready()
    {
        _bed.WritePlugin("first");
        _bed.WriteConfig("10-a.conflist", Networks.List("anet", "1.0.0", "first", "missing"));

        var readiness = NetworkReadiness.Check(_bed.NetworkDirectory, [_bed.PluginDirectory], "");

        Assert.False(readiness.Ready);
        Assert.Contains("missing", readiness.Message, StringComparison.Ordinal);
        Assert.Null(readiness.Network);
    }

    [Fact]
    public async Task SetUp_uses_the_network_readiness_chose()
    {
        _bed.WritePlugin("first");
        _bed.WritePlugin("second");
        _bed.WriteConfig("10-a.conflist", Networks.List("anet", "1.0.0", "first"));
        _bed.WriteConfig("20-b.conflist", Networks.List("bnet", "1.0.0", "second"));
        using var manager = _bed.Manager(defaultNetwork: "bnet");

        var status = await manager.SetUpAsync(new PodNetworkAttachment("c1", "", "p", "ns", "uid"), CancellationToken.None);

        Assert.Equal("bnet", status.NetworkName);
        Assert.Equal(["second ADD"], _bed.Calls());
    }
}
