using System.Globalization;
using CriO.Tests.Shared;

namespace CriO.Bench.Sandbox;

/// <summary>
/// The one CNI network both runtimes use: a conflist (bridge + host-local + portmap) in the
/// benchmark's own network folder, with its own bridge name and private subnet, and host-local's
/// leases inside the temp folder. Cleaning up removes what the plugins leave on the host: the
/// bridge, cached results in /var/lib/cni, iptables rules naming the network and their per-pod
/// chains, and ip_forward when the bridge plugin (isGateway) turned it on.
/// </summary>
internal sealed class BenchNetwork
{
    public const string Name = "crio-bench";
    public const string Bridge = "crbench0";
    public const string Subnet = "10.231.0.0/24";
    public const string SubnetPrefix = "10.231.0.";
    public const string PluginDirectory = "/usr/lib/cni";

    private const string CniCache = "/var/lib/cni";
    private const string IpForward = "/proc/sys/net/ipv4/ip_forward";
    private static readonly string[] Tables = ["nat", "filter"];

    private readonly string _root;
    private readonly string _ipForwardBefore;
    private readonly bool _cniCacheExisted;

    private BenchNetwork(string root, string configDirectory, string ipForwardBefore, bool cniCacheExisted)
    {
        _root = root;
        ConfigDirectory = configDirectory;
        _ipForwardBefore = ipForwardBefore;
        _cniCacheExisted = cniCacheExisted;
    }

    /// <summary>The folder holding the conflist: conf_dir for containerd, network_dir for crio.</summary>
    public string ConfigDirectory { get; }

    /// <summary>Writes the conflist under <paramref name="root"/> and notes the host state that cleanup restores.</summary>
    public static async Task<BenchNetwork> CreateAsync(string root)
    {
        foreach (var plugin in new[] { "bridge", "host-local", "portmap", "loopback" })
        {
            if (!File.Exists(Path.Join(PluginDirectory, plugin)))
            {
                throw new InvalidOperationException($"CNI plugin {plugin} not found in {PluginDirectory}: apt-get install containernetworking-plugins");
            }
        }

        if (Directory.Exists($"/sys/class/net/{Bridge}"))
        {
            Console.Error.WriteLine($"bridge {Bridge} is left from an earlier run: deleting it");
            await ChildProcess.RunAsync("ip", ["link", "del", Bridge], timeout: TimeSpan.FromSeconds(10));
        }

        var network = new BenchNetwork(root, Directory.CreateDirectory(Path.Join(root, "net.d")).FullName, File.ReadAllText(IpForward).Trim(), Directory.Exists(CniCache));
        var dataDirectory = Directory.CreateDirectory(Path.Join(root, "cni-leases")).FullName;
        await File.WriteAllTextAsync(Path.Join(network.ConfigDirectory, "10-crio-bench.conflist"), $$"""
            {
              "cniVersion": "1.0.0",
              "name": "{{Name}}",
              "plugins": [
                {
                  "type": "bridge",
                  "bridge": "{{Bridge}}",
                  "isGateway": true,
                  "ipMasq": false,
                  "hairpinMode": true,
                  "ipam": {
                    "type": "host-local",
                    "ranges": [[{ "subnet": "{{Subnet}}" }]],
                    "routes": [{ "dst": "0.0.0.0/0" }],
                    "dataDir": "{{dataDirectory}}"
                  }
                },
                { "type": "portmap", "capabilities": { "portMappings": true } }
              ]
            }
            """);
        return network;
    }

    /// <summary>Removes the network's traces from the host; reports and goes on where a step fails.</summary>
    public async Task CleanUpAsync()
    {
        if (Directory.Exists($"/sys/class/net/{Bridge}"))
        {
            var (exitCode, _, errors) = await ChildProcess.RunAsync("ip", ["link", "del", Bridge], timeout: TimeSpan.FromSeconds(10));
            if (exitCode != 0)
            {
                Console.Error.WriteLine($"  ip link del {Bridge}: {errors.Trim()}");
            }
        }

        // libcni caches each ADD result as results/NETWORK-CONTAINERID-IFNAME until the DEL:
        // ours name the network, or (containerd's loopback, "cni-loopback-ID-lo") a netns in our folder.
        var results = Path.Join(CniCache, "results");
        if (Directory.Exists(results))
        {
            foreach (var file in Directory.EnumerateFiles(results))
            {
                if (Path.GetFileName(file).StartsWith($"{Name}-", StringComparison.Ordinal) || File.ReadAllText(file).Contains(_root, StringComparison.Ordinal))
                {
                    File.Delete(file);
                }
            }
        }

        if (!_cniCacheExisted)
        {
            DeleteIfEmpty(results);
            DeleteIfEmpty(CniCache);
        }

        foreach (var table in Tables)
        {
            await RemoveIptablesTracesAsync(table);
        }

        if (_ipForwardBefore == "0" && File.ReadAllText(IpForward).Trim() == "1")
        {
            await File.WriteAllTextAsync(IpForward, "0\n");
        }
    }

    /// <summary>
    /// Removes the rules that name this network in their comment (the bridge plugin's ipMasq and
    /// portmap tag theirs; with ipMasq false and no ports there should be none), then the
    /// per-pod CNI-... chains those rules lived in or jumped to, once empty and unreferenced.
    /// The shared CNI-HOSTPORT-* chains belong to every CNI user of the host: never touched.
    /// </summary>
    private static async Task RemoveIptablesTracesAsync(string table)
    {
        var rules = await RulesAsync(table);
        var ours = rules.Where(r => r.StartsWith("-A ", StringComparison.Ordinal) && r.Contains($"\\\"{Name}\\\"", StringComparison.Ordinal)).ToList();
        if (ours.Count == 0)
        {
            return;
        }

        var chains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in ours)
        {
            var fields = rule.Split(' ');
            chains.Add(fields[1]);
            var jump = Array.IndexOf(fields, "-j");
            if (jump > 0 && jump + 1 < fields.Length)
            {
                chains.Add(fields[jump + 1]);
            }

            await ChildProcess.RunAsync("sh", ["-c", $"iptables -w 5 -t {table} -D {rule[3..]}"], timeout: TimeSpan.FromSeconds(15));
        }

        rules = await RulesAsync(table);
        foreach (var chain in chains.Where(c => c.StartsWith("CNI-", StringComparison.Ordinal) && !c.StartsWith("CNI-HOSTPORT-", StringComparison.Ordinal)))
        {
            var used = rules.Any(r => r.StartsWith($"-A {chain} ", StringComparison.Ordinal) || r.EndsWith($" -j {chain}", StringComparison.Ordinal) || r.Contains($" -j {chain} ", StringComparison.Ordinal));
            if (!used && rules.Contains($"-N {chain}"))
            {
                await ChildProcess.RunAsync("iptables", ["-w", "5", "-t", table, "-X", chain], timeout: TimeSpan.FromSeconds(15));
            }
        }
    }

    private static async Task<List<string>> RulesAsync(string table)
    {
        var (exitCode, output, errors) = await ChildProcess.RunAsync("iptables", ["-w", "5", "-t", table, "-S"], timeout: TimeSpan.FromSeconds(15));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"iptables -t {table} -S exited {exitCode.ToString(CultureInfo.InvariantCulture)}: {errors.Trim()}");
        }

        return [.. output.Split('\n').Select(l => l.Trim())];
    }

    private static void DeleteIfEmpty(string folder)
    {
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }
}
