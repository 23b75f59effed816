using System.Text;
using System.Text.Json;
using CriO.Cni.Tests.Fakes;
using CriO.Tests.Shared;

namespace CriO.Cni.Tests;

/// <summary>The plugin protocol as seen by fake plugins: environment, stdin, chaining, order, cache, errors.</summary>
public sealed class CniNetworkManagerTests : IDisposable
{
    private const string ContainerId = "0123456789abcdef0123456789abcdef";
    private const string NetNs = "/var/run/netns/crio-cni-test-absent";

    private readonly CniTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static PodNetworkAttachment Pod(string containerId = ContainerId) =>
        new(containerId, NetNs, "web-1", "shop", "6a1f8e44-5e2b-4c8e-9d0a-2f1bb3a1c9d0");

    private void TwoPluginNetwork(string cniVersion = "1.0.0", string firstResult = FakeResults.V100Other, string secondResult = FakeResults.V100)
    {
        _bed.WritePlugin("first", firstResult);
        _bed.WritePlugin("second", secondResult);
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", cniVersion, "first", "second"));
    }

    [Fact]
    public async Task SetUp_gives_each_plugin_the_CNI_environment()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();

        await manager.SetUpAsync(Pod(), CancellationToken.None);

        var env = _bed.Environment("first", "ADD");
        Assert.Equal("ADD", env["CNI_COMMAND"]);
        Assert.Equal(ContainerId, env["CNI_CONTAINERID"]);
        Assert.Equal(NetNs, env["CNI_NETNS"]);
        Assert.Equal("eth0", env["CNI_IFNAME"]);
        Assert.Equal(
            $"IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-1;K8S_POD_INFRA_CONTAINER_ID={ContainerId};K8S_POD_UID=6a1f8e44-5e2b-4c8e-9d0a-2f1bb3a1c9d0",
            env["CNI_ARGS"]);
        Assert.Equal(_bed.PluginDirectory, env["CNI_PATH"]);
        Assert.Equal(System.Environment.GetEnvironmentVariable("PATH"), env["PATH"]);

        // Nothing else of the daemon's environment (the shell adds PWD itself; the working folder is /).
        Assert.Equal("/", env["PWD"]);
        Assert.All(env.Keys, name => Assert.True(name.StartsWith("CNI_", StringComparison.Ordinal) || name is "PATH" or "PWD", $"{name} leaked into the plugin's environment"));
    }

    [Fact]
    public async Task SetUp_injects_the_list_name_and_version_and_keeps_the_plugin_fields()
    {
        _bed.WritePlugin("first");
        _bed.WriteConfig("10-test.conflist", """{"cniVersion":"1.0.0","name":"testnet","plugins":[{"type":"first","bridge":"cni9","ipam":{"type":"host-local"}}]}""");
        using var manager = _bed.Manager();

        await manager.SetUpAsync(Pod(), CancellationToken.None);

        using var stdin = JsonDocument.Parse(_bed.Stdin("first", "ADD"));
        var root = stdin.RootElement;
        Assert.Equal("testnet", root.GetProperty("name").GetString());
        Assert.Equal("1.0.0", root.GetProperty("cniVersion").GetString());
        Assert.Equal("cni9", root.GetProperty("bridge").GetString());
        Assert.Equal("host-local", root.GetProperty("ipam").GetProperty("type").GetString());
        Assert.False(root.TryGetProperty("prevResult", out _));
        Assert.False(root.TryGetProperty("runtimeConfig", out _));
    }

    [Fact]
    public async Task SetUp_sends_runtimeConfig_only_for_declared_capabilities_that_have_values()
    {
        _bed.WritePlugin("ports");
        _bed.WritePlugin("shaper");
        _bed.WritePlugin("plain");
        _bed.WriteConfig("10-test.conflist", """
            {"cniVersion":"1.0.0","name":"testnet","plugins":[
              {"type":"ports","capabilities":{"portMappings":true,"dns":true}},
              {"type":"shaper","capabilities":{"bandwidth":true,"ipRanges":true,"portMappings":false},"runtimeConfig":{"stale":1}},
              {"type":"plain"}]}
            """);
        using var manager = _bed.Manager();
        var pod = Pod() with
        {
            PortMappings = [new PortMapping(8080, 80, "tcp", ""), new PortMapping(5353, 53, "udp", "127.0.0.1")],
            Bandwidth = new BandwidthLimits(1_000_000, 0, 2_000_000, 4_000_000),
            PodCidrs = ["10.244.1.0/24", "fd00:10:244:1::/64"],
        };

        await manager.SetUpAsync(pod, CancellationToken.None);

        using (var ports = JsonDocument.Parse(_bed.Stdin("ports", "ADD")))
        {
            var runtime = ports.RootElement.GetProperty("runtimeConfig");
            Assert.Equal(["portMappings"], runtime.EnumerateObject().Select(p => p.Name));
            var mappings = runtime.GetProperty("portMappings").EnumerateArray().ToList();
            Assert.Equal(8080, mappings[0].GetProperty("hostPort").GetInt32());
            Assert.Equal(80, mappings[0].GetProperty("containerPort").GetInt32());
            Assert.Equal("tcp", mappings[0].GetProperty("protocol").GetString());
            Assert.False(mappings[0].TryGetProperty("hostIP", out _));
            Assert.Equal("127.0.0.1", mappings[1].GetProperty("hostIP").GetString());
            Assert.Equal("udp", mappings[1].GetProperty("protocol").GetString());
        }

        using (var shaper = JsonDocument.Parse(_bed.Stdin("shaper", "ADD")))
        {
            var runtime = shaper.RootElement.GetProperty("runtimeConfig");
            Assert.Equal(["bandwidth", "ipRanges"], runtime.EnumerateObject().Select(p => p.Name).Order());
            var bandwidth = runtime.GetProperty("bandwidth");
            Assert.Equal(1_000_000, bandwidth.GetProperty("ingressRate").GetInt64());
            Assert.Equal(int.MaxValue, bandwidth.GetProperty("ingressBurst").GetInt64());
            Assert.Equal(2_000_000, bandwidth.GetProperty("egressRate").GetInt64());
            Assert.Equal(4_000_000, bandwidth.GetProperty("egressBurst").GetInt64());
            var ranges = runtime.GetProperty("ipRanges").EnumerateArray().ToList();
            Assert.Equal(2, ranges.Count);
            Assert.Equal("10.244.1.0/24", ranges[0][0].GetProperty("subnet").GetString());
            Assert.Equal("fd00:10:244:1::/64", ranges[1][0].GetProperty("subnet").GetString());
        }

        using (var plain = JsonDocument.Parse(_bed.Stdin("plain", "ADD")))
        {
            Assert.False(plain.RootElement.TryGetProperty("runtimeConfig", out _));
        }
    }

    [Fact]
    public async Task SetUp_sends_the_dns_capability()
    {
        _bed.WritePlugin("resolver");
        _bed.WriteConfig("10-test.conflist", """{"cniVersion":"1.0.0","name":"testnet","plugins":[{"type":"resolver","capabilities":{"dns":true}}]}""");
        using var manager = _bed.Manager();

        await manager.SetUpAsync(Pod() with { Dns = new DnsSettings(["10.96.0.10"], ["shop.svc.cluster.local"], ["ndots:5"]) }, CancellationToken.None);

        using var stdin = JsonDocument.Parse(_bed.Stdin("resolver", "ADD"));
        var dns = stdin.RootElement.GetProperty("runtimeConfig").GetProperty("dns");
        Assert.Equal("10.96.0.10", dns.GetProperty("servers")[0].GetString());
        Assert.Equal("shop.svc.cluster.local", dns.GetProperty("searches")[0].GetString());
        Assert.Equal("ndots:5", dns.GetProperty("options")[0].GetString());
    }

    [Fact]
    public async Task SetUp_chains_each_plugin_to_the_previous_result_and_returns_the_last()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();

        var status = await manager.SetUpAsync(Pod(), CancellationToken.None);

        Assert.Equal(["first ADD", "second ADD"], _bed.Calls());
        using var second = JsonDocument.Parse(_bed.Stdin("second", "ADD"));
        using var first = JsonDocument.Parse(FakeResults.V100Other);
        Assert.True(JsonElement.DeepEquals(first.RootElement, second.RootElement.GetProperty("prevResult")));
        Assert.Equal("testnet", status.NetworkName);
        Assert.Equal(["10.88.0.5/16", "fd00::5/64"], status.Ips.Select(i => i.Address));
    }

    [Fact]
    public async Task SetUp_parses_a_1_0_0_result_with_both_families()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();

        var status = await manager.SetUpAsync(Pod(), CancellationToken.None);

        Assert.Equal(2, status.Ips.Count);
        Assert.Equal(System.Net.IPAddress.Parse("10.88.0.5"), status.Ips[0].Ip);
        Assert.Equal(16, status.Ips[0].PrefixLength);
        Assert.Equal("10.88.0.1", status.Ips[0].Gateway);
        Assert.Equal(1, status.Ips[0].InterfaceIndex);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, status.Ips[1].Ip.AddressFamily);
        Assert.Equal(64, status.Ips[1].PrefixLength);
        Assert.Equal(["cni0", "eth0"], status.Interfaces.Select(i => i.Name));
        Assert.Null(status.Interfaces[0].Sandbox);
        Assert.Equal("/var/run/netns/test", status.Interfaces[1].Sandbox);
        Assert.Equal(["0.0.0.0/0", "::/0"], status.Routes.Select(r => r.Dst));
        Assert.Equal("fd00::1", status.Routes[1].Gw);
        Assert.Equal(["10.96.0.10"], status.Dns!.Nameservers);
        Assert.Equal("cluster.local", status.Dns.Domain);
        Assert.Contains("10.88.0.5/16", status.ResultJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetUp_parses_a_0_4_0_result_with_both_families()
    {
        TwoPluginNetwork("0.4.0", FakeResults.V100Other, FakeResults.V040);
        using var manager = _bed.Manager();

        var status = await manager.SetUpAsync(Pod(), CancellationToken.None);

        Assert.Equal(["10.88.0.6/16", "fd00::6/64"], status.Ips.Select(i => i.Address));
        Assert.Null(status.Ips[1].Gateway);
        Assert.Null(status.Dns); // "dns": {} says nothing
        Assert.Equal("10.88.0.1", status.Routes.Single().Gw);
    }

    [Fact]
    public async Task SetUp_writes_the_cache_entry_in_libcni_format()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();
        var pod = Pod() with { PortMappings = [new PortMapping(8080, 80, "tcp", "")] };

        await manager.SetUpAsync(pod, CancellationToken.None);

        var file = Assert.Single(_bed.CacheFiles());
        Assert.Equal($"testnet-{ContainerId}-eth0", Path.GetFileName(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var entry = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = entry.RootElement;
        Assert.Equal("cniCacheV1", root.GetProperty("kind").GetString());
        Assert.Equal(ContainerId, root.GetProperty("containerId").GetString());
        Assert.Equal("eth0", root.GetProperty("ifName").GetString());
        Assert.Equal("testnet", root.GetProperty("networkName").GetString());
        Assert.Equal(NetNs, root.GetProperty("netns").GetString());
        var config = Encoding.UTF8.GetString(root.GetProperty("config").GetBytesFromBase64());
        Assert.Equal(Networks.List("testnet", "1.0.0", "first", "second"), config);
        var args = root.GetProperty("cniArgs").EnumerateArray().Select(p => $"{p[0].GetString()}={p[1].GetString()}").ToList();
        Assert.Equal(["IgnoreUnknown=1", "K8S_POD_NAMESPACE=shop", "K8S_POD_NAME=web-1", $"K8S_POD_INFRA_CONTAINER_ID={ContainerId}", "K8S_POD_UID=6a1f8e44-5e2b-4c8e-9d0a-2f1bb3a1c9d0"], args);
        Assert.Equal(8080, root.GetProperty("capabilityArgs").GetProperty("portMappings")[0].GetProperty("hostPort").GetInt32());
        using var expected = JsonDocument.Parse(FakeResults.V100);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, root.GetProperty("result")));
    }

    [Fact]
    public async Task TearDown_runs_DEL_in_reverse_order_with_the_cached_result()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();
        await manager.SetUpAsync(Pod(), CancellationToken.None);
        _bed.ClearCalls();

        await manager.TearDownAsync(Pod(), CancellationToken.None);

        Assert.Equal(["second DEL", "first DEL"], _bed.Calls());
        using var expected = JsonDocument.Parse(FakeResults.V100);
        foreach (var type in new[] { "first", "second" })
        {
            using var stdin = JsonDocument.Parse(_bed.Stdin(type, "DEL"));
            Assert.True(JsonElement.DeepEquals(expected.RootElement, stdin.RootElement.GetProperty("prevResult")));
            var env = _bed.Environment(type, "DEL");
            Assert.Equal("DEL", env["CNI_COMMAND"]);

            // The namespace path does not exist: plugins get an empty CNI_NETNS.
            Assert.Equal("", env["CNI_NETNS"]);
        }

        Assert.Empty(_bed.CacheFiles());
    }

    [Fact]
    public async Task TearDown_of_a_0_3_1_network_sends_no_prevResult()
    {
        TwoPluginNetwork("0.3.1");
        using var manager = _bed.Manager();
        await manager.SetUpAsync(Pod(), CancellationToken.None);

        await manager.TearDownAsync(Pod(), CancellationToken.None);

        using var stdin = JsonDocument.Parse(_bed.Stdin("first", "DEL"));
        Assert.False(stdin.RootElement.TryGetProperty("prevResult", out _));
        Assert.Empty(_bed.CacheFiles());
    }

    [Fact]
    public async Task TearDown_after_a_restart_and_a_config_change_uses_the_cached_config()
    {
        TwoPluginNetwork();
        using (var before = _bed.Manager())
        {
            await before.SetUpAsync(Pod() with { PortMappings = [new PortMapping(8080, 80, "tcp", "")] }, CancellationToken.None);
        }

        // The operator replaces the network; the daemon restarts; the old pod goes away.
        File.Delete(Path.Combine(_bed.NetworkDirectory, "10-test.conflist"));
        _bed.WritePlugin("other");
        _bed.WriteConfig("20-other.conflist", Networks.List("othernet", "1.0.0", "other"));
        _bed.ClearCalls();
        using var after = _bed.Manager();

        await after.TearDownAsync(Pod(), CancellationToken.None);

        Assert.Equal(["second DEL", "first DEL"], _bed.Calls());
        using var stdin = JsonDocument.Parse(_bed.Stdin("second", "DEL"));
        Assert.Equal("testnet", stdin.RootElement.GetProperty("name").GetString());
        Assert.Empty(_bed.CacheFiles());
    }

    [Fact]
    public async Task TearDown_with_nothing_cached_and_no_network_succeeds_without_running_anything()
    {
        using var manager = _bed.Manager();

        await manager.TearDownAsync(Pod(), CancellationToken.None);
        await manager.TearDownAsync(Pod(), CancellationToken.None);

        Assert.Empty(_bed.Calls());
    }

    [Fact]
    public async Task TearDown_with_nothing_cached_uses_the_current_network_without_prevResult()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();

        await manager.TearDownAsync(Pod(), CancellationToken.None);

        Assert.Equal(["second DEL", "first DEL"], _bed.Calls());
        using var stdin = JsonDocument.Parse(_bed.Stdin("first", "DEL"));
        Assert.False(stdin.RootElement.TryGetProperty("prevResult", out _));
    }

    [Fact]
    public async Task TearDown_that_fails_keeps_the_cache_entry_for_a_retry()
    {
        _bed.WritePlugin("first");
        _bed.WritePlugin("second", FakeResults.V100, failOn: "DEL", failure: """echo '{"code":11,"msg":"iptables busy"}'; exit 1""");
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first", "second"));
        using var manager = _bed.Manager();
        await manager.SetUpAsync(Pod(), CancellationToken.None);
        _bed.ClearCalls();

        var error = await Assert.ThrowsAsync<CniPluginException>(() => manager.TearDownAsync(Pod(), CancellationToken.None));

        Assert.Equal("DEL", error.Command);
        Assert.Equal(["second DEL", "first DEL"], _bed.Calls()); // the others still ran
        Assert.Single(_bed.CacheFiles());
    }

    [Fact]
    public async Task A_plugin_error_object_is_surfaced_and_the_failed_ADD_is_undone()
    {
        _bed.WritePlugin("first");
        _bed.WritePlugin("second", failOn: "ADD", failure: """echo '{"cniVersion":"1.0.0","code":11,"msg":"no IP left","details":"range 10.88.0.0/16 is full"}'; exit 1""");
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first", "second"));
        using var manager = _bed.Manager();

        var error = await Assert.ThrowsAsync<CniPluginException>(() => manager.SetUpAsync(Pod(), CancellationToken.None));

        Assert.Equal(11, error.Code);
        Assert.Equal("no IP left", error.PluginMessage);
        Assert.Equal("range 10.88.0.0/16 is full", error.Details);
        Assert.Equal("second", error.PluginType);
        Assert.Equal("ADD", error.Command);
        Assert.Equal(1, error.ExitCode);
        Assert.Equal("plugin \"second\" failed (ADD, code 11): no IP left: range 10.88.0.0/16 is full", error.Message);
        Assert.Equal(["first ADD", "second ADD", "second DEL", "first DEL"], _bed.Calls());
        Assert.Empty(_bed.CacheFiles());
    }

    [Fact]
    public async Task A_plugin_failing_without_an_error_object_is_reported_with_its_stderr()
    {
        _bed.WritePlugin("first", failOn: "ADD", failure: "echo 'cannot open /run/flannel/subnet.env' >&2; exit 3");
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first"));
        using var manager = _bed.Manager();

        var error = await Assert.ThrowsAsync<CniPluginException>(() => manager.SetUpAsync(Pod(), CancellationToken.None));

        Assert.Equal(0, error.Code);
        Assert.Equal(3, error.ExitCode);
        Assert.Equal("cannot open /run/flannel/subnet.env", error.PluginMessage);
        Assert.Equal("plugin \"first\" failed (ADD, exit code 3): cannot open /run/flannel/subnet.env", error.Message);
    }

    [Fact]
    public async Task A_plugin_that_hangs_is_killed_at_the_timeout_and_the_ADD_is_undone()
    {
        var pidFile = Path.Combine(_bed.CallDirectory, "sleep.pid");
        _bed.WritePlugin("first");
        _bed.WritePlugin("second", failOn: "ADD", failure: $"sleep 60 & echo $! > '{pidFile}'; wait");
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first", "second"));
        using var manager = _bed.Manager(timeout: TimeSpan.FromSeconds(1));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CniPluginTimeoutException>(() => manager.SetUpAsync(Pod(), CancellationToken.None));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
        Assert.Equal("second", error.PluginType);
        Assert.Equal("ADD", error.Command);
        Assert.Contains("\"second\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(["first ADD", "second ADD", "second DEL", "first DEL"], _bed.Calls());
        Assert.Empty(_bed.CacheFiles());
        await AssertGoneAsync(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Cancelling_SetUp_kills_the_plugin_and_still_undoes_the_ADD()
    {
        var pidFile = Path.Combine(_bed.CallDirectory, "sleep.pid");
        _bed.WritePlugin("first", failOn: "ADD", failure: $"sleep 60 & echo $! > '{pidFile}'; wait");
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first"));
        using var manager = _bed.Manager();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => manager.SetUpAsync(Pod(), cancel.Token));

        Assert.Equal(["first ADD", "first DEL"], _bed.Calls());
        Assert.Empty(_bed.CacheFiles());
        await AssertGoneAsync(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_result_larger_than_the_bound_is_refused()
    {
        _bed.WritePlugin("first", failOn: "ADD", failure: "head -c 2000000 /dev/zero | tr '\\0' ' '; echo '{}'; exit 0");
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first"));
        using var manager = _bed.Manager();

        var error = await Assert.ThrowsAsync<CniPluginException>(() => manager.SetUpAsync(Pod(), CancellationToken.None));

        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
        Assert.Empty(_bed.CacheFiles());
    }

    [Fact]
    public async Task An_ADD_without_a_result_fails()
    {
        _bed.WritePlugin("first", addResult: "");
        _bed.WriteConfig("10-test.conflist", Networks.List("testnet", "1.0.0", "first"));
        using var manager = _bed.Manager();

        var error = await Assert.ThrowsAsync<CniPluginException>(() => manager.SetUpAsync(Pod(), CancellationToken.None));

        Assert.Contains("no result", error.Message, StringComparison.Ordinal);
        Assert.Equal(["first ADD", "first DEL"], _bed.Calls());
    }

    [Fact]
    public async Task SetUp_without_a_network_throws_the_readiness_message()
    {
        using var manager = _bed.Manager();

        var error = await Assert.ThrowsAsync<NetworkNotReadyException>(() => manager.SetUpAsync(Pod(), CancellationToken.None));

        Assert.Equal(manager.Readiness.Message, error.Message);
        Assert.Contains("no CNI configuration file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetUp_refuses_a_container_id_that_could_escape_the_cache_folder()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();

        await Assert.ThrowsAsync<ArgumentException>(() => manager.SetUpAsync(Pod("../../etc"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => manager.SetUpAsync(Pod() with { InterfaceName = "eth0/x" }, CancellationToken.None));
        Assert.Empty(_bed.Calls());
    }

    [Fact]
    public async Task A_single_plugin_conf_is_run_as_a_list_of_one()
    {
        _bed.WritePlugin("first");
        _bed.WriteConfig("10-single.conf", """{"cniVersion":"0.4.0","name":"single","type":"first","mtu":1400}""");
        using var manager = _bed.Manager();

        await manager.SetUpAsync(Pod(), CancellationToken.None);

        using var stdin = JsonDocument.Parse(_bed.Stdin("first", "ADD"));
        Assert.Equal("single", stdin.RootElement.GetProperty("name").GetString());
        Assert.Equal(1400, stdin.RootElement.GetProperty("mtu").GetInt32());
        using var entry = JsonDocument.Parse(File.ReadAllBytes(Assert.Single(_bed.CacheFiles())));
        using var list = JsonDocument.Parse(entry.RootElement.GetProperty("config").GetBytesFromBase64());
        Assert.Equal("single", list.RootElement.GetProperty("name").GetString());
        Assert.Equal("first", list.RootElement.GetProperty("plugins")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Check_runs_CHECK_in_order_with_the_cached_result()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();
        await manager.SetUpAsync(Pod(), CancellationToken.None);
        _bed.ClearCalls();

        await manager.CheckAsync(Pod(), CancellationToken.None);

        Assert.Equal(["first CHECK", "second CHECK"], _bed.Calls());
        using var stdin = JsonDocument.Parse(_bed.Stdin("first", "CHECK"));
        using var expected = JsonDocument.Parse(FakeResults.V100);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, stdin.RootElement.GetProperty("prevResult")));
    }

    [Fact]
    public async Task Check_of_a_0_3_1_network_runs_nothing()
    {
        TwoPluginNetwork("0.3.1");
        using var manager = _bed.Manager();
        await manager.SetUpAsync(Pod(), CancellationToken.None);
        _bed.ClearCalls();

        await manager.CheckAsync(Pod(), CancellationToken.None);

        Assert.Empty(_bed.Calls());
    }

    [Fact]
    public async Task Check_of_a_pod_never_attached_fails()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();

        await Assert.ThrowsAsync<InvalidOperationException>(() => manager.CheckAsync(Pod(), CancellationToken.None));
    }

    [Fact]
    public async Task Version_asks_the_plugin()
    {
        _bed.WritePlugin("first");
        using var manager = _bed.Manager();

        var version = await manager.VersionAsync("first", "1.0.0", CancellationToken.None);

        Assert.Equal("1.0.0", version.CniVersion);
        Assert.Equal(["0.3.1", "0.4.0", "1.0.0"], version.SupportedVersions);
        Assert.Equal("""{"cniVersion":"1.0.0"}""", _bed.Stdin("first", "VERSION"));
        Assert.Equal("VERSION", _bed.Environment("first", "VERSION")["CNI_COMMAND"]);
    }

    [Fact]
    public async Task Version_of_a_missing_plugin_says_where_it_looked()
    {
        using var manager = _bed.Manager();

        var error = await Assert.ThrowsAsync<CniPluginException>(() => manager.VersionAsync("nosuch", "1.0.0", CancellationToken.None));

        Assert.Contains(_bed.PluginDirectory, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cached_status_survives_a_restart_until_teardown()
    {
        TwoPluginNetwork();
        using (var before = _bed.Manager())
        {
            await before.SetUpAsync(Pod(), CancellationToken.None);
        }

        using var after = _bed.Manager();
        var status = after.GetCachedStatus(ContainerId);

        Assert.NotNull(status);
        Assert.Equal("10.88.0.5/16", status.Ips[0].Address);
        await after.TearDownAsync(Pod(), CancellationToken.None);
        Assert.Null(after.GetCachedStatus(ContainerId));
    }

    [Fact]
    public async Task Pods_attach_in_parallel()
    {
        TwoPluginNetwork();
        using var manager = _bed.Manager();

        var pods = Enumerable.Range(0, 8).Select(i => Pod($"pod{i:D2}{ContainerId}")).ToList();
        await Task.WhenAll(pods.Select(p => manager.SetUpAsync(p, CancellationToken.None)));

        Assert.Equal(8, _bed.CacheFiles().Length);
        await Task.WhenAll(pods.Select(p => manager.TearDownAsync(p, CancellationToken.None)));
        Assert.Empty(_bed.CacheFiles());
    }

    private static async Task AssertGoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Directory.Exists($"/proc/{pid}") && !ProcessState.IsZombie(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(!Directory.Exists($"/proc/{pid}") || ProcessState.IsZombie(pid), $"process {pid} (the plugin's child) is still running");
    }
}
