using System.Globalization;
using CriO.Tests.Shared;

namespace CriO.Cni.Tests.RealPlugins;

/// <summary>
/// What one real-plugin test sets up on the host, under unique names so parallel runs and other
/// suites never collide: a network namespace <c>crio-cni-test-XXXX</c>, a bridge
/// <c>cnitestXXXX</c>, a /24 in 10.0.0.0/8 that no route or address of the host touches, and a
/// temporary folder for the configuration, the result cache and host-local's data. Dispose puts
/// the host back as it was, even after a failure: namespace, bridge, iptables rules and chains
/// the plugins made (if a DEL did not run), ip_forward, folders. Shared host state (portmap's
/// chains, the nat tables, ip_forward) is only put back when no one else's pods use it now.
/// </summary>
internal sealed class HostNetworkFixture : IAsyncDisposable
{
    /// <summary>The nat chains portmap shares between all pods and never removes itself.</summary>
    private static readonly string[] SharedPortmapChains = ["CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-MASQ"];

    private readonly List<string> _natChainsBefore;
    private readonly string _ipForwardBefore;
    private readonly string? _nftTablesBefore;

    private HostNetworkFixture(string suffix, int subnetB, int subnetC, List<string> natChainsBefore, string ipForwardBefore, string? nftTablesBefore)
    {
        Suffix = suffix;
        NamespaceName = $"crio-cni-test-{suffix}";
        BridgeName = $"cnitest{suffix}";
        NetworkName = $"crio-cni-test-{suffix}";
        Subnet = $"10.{subnetB}.{subnetC}.0/24";
        SubnetPrefix = $"10.{subnetB}.{subnetC}.";
        Root = Directory.CreateTempSubdirectory("crio-cni-real-").FullName;
        _natChainsBefore = natChainsBefore;
        _ipForwardBefore = ipForwardBefore;
        _nftTablesBefore = nftTablesBefore;
    }

    public string Suffix { get; }

    public string NamespaceName { get; }

    public string NamespacePath => $"/var/run/netns/{NamespaceName}";

    public string BridgeName { get; }

    public string NetworkName { get; }

    public string Subnet { get; }

    /// <summary>"10.B.C.": every address of the subnet starts with it.</summary>
    public string SubnetPrefix { get; }

    public string Root { get; }

    public string NetworkDirectory => Path.Combine(Root, "net.d");

    public string CacheDirectory => Path.Combine(Root, "cache");

    /// <summary>host-local's <c>dataDir</c>: allocations live in <c>IpamDirectory/NETWORK/IP</c>.</summary>
    public string IpamDirectory => Path.Combine(Root, "ipam");

    public string AllocationsDirectory => Path.Combine(IpamDirectory, NetworkName);

    /// <summary>Attachments whose DEL a test did not get to run; Dispose runs it.</summary>
    public List<PodNetworkAttachment> Attached { get; } = [];

    // Whether /run/netns was a mount point before the first fixture of this run: if so, it is the node's.
    private static readonly bool s_netnsMountedBefore = NetnsMounted();

    private static bool NetnsMounted() => File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == "/run/netns");

    public static async Task<HostNetworkFixture> CreateAsync()
    {
        // Read now, before any `ip netns add` of this run (static fields initialize on first use).
        _ = s_netnsMountedBefore;
        var routes = (await RunAsync("ip", "-4", "route", "show", "table", "all")).Output + (await RunAsync("ip", "-4", "addr")).Output;
        var links = (await RunAsync("ip", "link")).Output;
        var namespaces = (await RunAsync("ip", "netns", "list")).Output;
        for (var attempt = 0; ; attempt++)
        {
            var suffix = Random.Shared.Next(0x1000, 0x10000).ToString("x4", CultureInfo.InvariantCulture);
            var b = Random.Shared.Next(100, 250);
            var c = Random.Shared.Next(0, 256);
            var clash = routes.Contains($"10.{b}.", StringComparison.Ordinal)
                || links.Contains($"cnitest{suffix}", StringComparison.Ordinal)
                || namespaces.Contains($"crio-cni-test-{suffix}", StringComparison.Ordinal);
            if (clash && attempt < 100)
            {
                continue;
            }

            var fixture = new HostNetworkFixture(suffix, b, c, await NatChainsAsync(), File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim(), await NftTablesAsync());
            Directory.CreateDirectory(fixture.NetworkDirectory);
            await MustAsync("ip", "netns", "add", fixture.NamespaceName);
            return fixture;
        }
    }

    /// <summary>A bridge + portmap list, as the CRI-O default but on our own bridge, subnet and IPAM folder.</summary>
    public string Conflist => ConflistOf(withPortmap: true);

    /// <summary>The bridge alone, or bridge + portmap.</summary>
    public string ConflistOf(bool withPortmap) => $$"""
        {
          "cniVersion": "1.0.0",
          "name": "{{NetworkName}}",
          "plugins": [
            {
              "type": "bridge",
              "bridge": "{{BridgeName}}",
              "isGateway": true,
              "ipMasq": false,
              "ipam": {
                "type": "host-local",
                "ranges": [[{ "subnet": "{{Subnet}}" }]],
                "routes": [{ "dst": "0.0.0.0/0" }],
                "dataDir": "{{IpamDirectory}}"
              }
            }{{(withPortmap ? """
            ,
            { "type": "portmap", "capabilities": { "portMappings": true }, "snat": true }
            """ : "")}}
          ]
        }
        """;

    public CniSettings Settings => new(NetworkDirectory, [RealPluginsFactAttribute.PluginDirectory], "", CacheDirectory, TimeSpan.FromSeconds(30));

    /// <summary>The nat table as iptables-save prints it.</summary>
    public static async Task<string> NatTableAsync() => (await RunAsync("iptables-save", "-t", "nat")).Output;

    public static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var (exit, output, errors) = await ChildProcess.RunAsync(program, arguments, timeout: TimeSpan.FromSeconds(30));
        return (exit, output + errors);
    }

    public static async Task<string> MustAsync(string program, params string[] arguments)
    {
        var (exit, output) = await RunAsync(program, arguments);
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)}: exit {exit}: {output}");
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        // A test that failed midway: DEL what it attached, as the daemon would on a retry.
        foreach (var pod in Attached)
        {
            try
            {
                using var manager = new CniNetworkManager(Settings, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System);
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await manager.TearDownAsync(pod, bound.Token);
            }
#pragma warning disable CA1031 // cleanup goes on whatever happened
            catch (Exception)
#pragma warning restore CA1031
            {
                // The steps below remove what is left by hand.
            }
        }

        await RunAsync("ip", "netns", "del", NamespaceName);

        // `ip netns add` made /run/netns a mount point (a shared bind of itself) if it was not
        // one; with no namespace left in it, take that back too. Not lazily: a concurrent test's
        // namespace mounted there makes the unmount fail, which is what we want then.
        if (!s_netnsMountedBefore && Directory.Exists("/run/netns") && !Directory.EnumerateFileSystemEntries("/run/netns").Any() && NetnsMounted())
        {
            await RunAsync("umount", "/run/netns");
        }

        await RunAsync("ip", "link", "del", BridgeName);
        await RemoveNatLeftoversAsync();
        await RemoveEmptyNatTablesAsync();
        // The bridge plugin turns forwarding on for a gateway bridge; put it back, unless pods of
        // someone else on this host (a veth is left: a benchmark's containerd, the e2e daemon)
        // now rely on it, since their own bridge plugin turned it on as well.
        if (_ipForwardBefore == "0" && (await RunAsync("ip", "-o", "link", "show", "type", "veth")).Output.Trim().Length == 0)
        {
            await File.WriteAllTextAsync("/proc/sys/net/ipv4/ip_forward", "0");
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Removes nat rules that name our subnet or our pods' chains, and the shared portmap chains
    /// if they were not there before this test and hold nothing but our rules now.
    /// </summary>
    private async Task RemoveNatLeftoversAsync()
    {
        var table = await NatTableAsync();
        var rules = table.Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToList();
        var ours = rules.Where(r => r.Contains(SubnetPrefix, StringComparison.Ordinal) || Attached.Any(p => r.Contains(p.ContainerId, StringComparison.Ordinal))).ToList();
        foreach (var rule in ours)
        {
            await RunAsync("iptables", ["-t", "nat", "-D", .. Tokens(rule[3..])]);
        }

        var sharedCreated = SharedPortmapChains.Where(c => !_natChainsBefore.Contains(c) && table.Contains($":{c} ", StringComparison.Ordinal)).ToList();
        if (sharedCreated.Count == 0)
        {
            return;
        }

        // SETMARK and MASQ hold only portmap's fixed rules; DNAT holds one jump per pod with
        // host ports. A jump left there belongs to a pod of someone else (say, the e2e suite's
        // daemon meanwhile): then the chains are in use, and stay.
        var remaining = (await NatTableAsync()).Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToList();
        if (remaining.Any(r => r.StartsWith("-A CNI-HOSTPORT-DNAT ", StringComparison.Ordinal)))
        {
            return;
        }

        foreach (var rule in remaining.Where(r => sharedCreated.Any(c => r.Contains($"-j {c}", StringComparison.Ordinal))))
        {
            await RunAsync("iptables", ["-t", "nat", "-D", .. Tokens(rule[3..])]);
        }

        foreach (var chain in sharedCreated)
        {
            await RunAsync("iptables", "-t", "nat", "-F", chain);
            await RunAsync("iptables", "-t", "nat", "-X", chain);
        }
    }

    /// <summary>
    /// portmap runs iptables and ip6tables, which (nft backend) make the <c>ip nat</c> and
    /// <c>ip6 nat</c> tables if missing; drop those that were not there before and hold no rules.
    /// </summary>
    private async Task RemoveEmptyNatTablesAsync()
    {
        if (_nftTablesBefore is null)
        {
            return; // no nft here: leave the tables, empty ones change nothing
        }

        var now = await NftTablesAsync() ?? "";
        foreach (var (family, save) in new[] { ("ip", "iptables-save"), ("ip6", "ip6tables-save") })
        {
            var table = $"table {family} nat";
            if (_nftTablesBefore.Contains(table, StringComparison.Ordinal) || !now.Contains(table, StringComparison.Ordinal))
            {
                continue;
            }

            var content = (await RunAsync(save, "-t", "nat")).Output.Split('\n');
            var empty = !content.Any(l => l.StartsWith("-A ", StringComparison.Ordinal))
                && content.Where(l => l.StartsWith(':')).All(l => l.Split(' ')[0] is ":PREROUTING" or ":INPUT" or ":OUTPUT" or ":POSTROUTING");
            if (empty)
            {
                await RunAsync("nft", "delete", "table", family, "nat");
            }
        }
    }

    /// <summary>nft's list of tables; null when nft is not installed.</summary>
    private static async Task<string?> NftTablesAsync()
    {
        try
        {
            var (exit, output) = await RunAsync("nft", "list", "tables");
            return exit == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static async Task<List<string>> NatChainsAsync() =>
        (await NatTableAsync()).Split('\n').Where(l => l.StartsWith(':')).Select(l => l[1..].Split(' ')[0]).ToList();

    /// <summary>Splits an iptables-save rule into arguments, honouring its double quotes.</summary>
    private static List<string> Tokens(string rule)
    {
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < rule.Length; i++)
        {
            var c = rule[i];
            if (c == '\\' && quoted && i + 1 < rule.Length)
            {
                current.Append(rule[++i]);
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }
}
