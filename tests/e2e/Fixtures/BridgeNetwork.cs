using CriO.Tests.Shared;

using System.Security.Cryptography;

namespace CriO.E2E.Tests.Fixtures;

/// <summary>
/// A CNI bridge network of one test: its own bridge, a private /24 from host-local (allocations
/// in the test's folder), portmap for host ports; no masquerading, no route beyond the bridge.
/// Disposing removes the bridge and any host-port rule of this network a failed test left.
/// </summary>
internal sealed class BridgeNetwork : IAsyncDisposable
{
    public BridgeNetwork(CrioFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        Name = $"crio-e2e-{tag}";
        Bridge = $"ce2e{tag}";
        Subnet = $"10.{200 + RandomNumberGenerator.GetInt32(50)}.{RandomNumberGenerator.GetInt32(256)}";
        DataDirectory = Path.Combine(folder.Root, "ipam");
        Conflist = $$"""
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
                    "dataDir": "{{DataDirectory}}",
                    "ranges": [[{ "subnet": "{{Subnet}}.0/24" }]],
                    "routes": [{ "dst": "{{Subnet}}.0/24" }]
                  }
                },
                { "type": "portmap", "capabilities": { "portMappings": true }, "snat": true }
              ]
            }
            """;
    }

    public string Name { get; }

    public string Bridge { get; }

    /// <summary>The first three octets of the /24.</summary>
    public string Subnet { get; }

    /// <summary>host-local's allocations: one file per allocated IP, under DataDirectory/NAME.</summary>
    public string DataDirectory { get; }

    public string Conflist { get; }

    public void WriteTo(string networkDirectory, string fileName = "10-bridge.conflist") =>
        File.WriteAllText(Path.Combine(networkDirectory, fileName), Conflist);

    public IReadOnlyList<string> AllocatedIps() =>
        Directory.Exists(Path.Combine(DataDirectory, Name))
            ? [.. Directory.GetFiles(Path.Combine(DataDirectory, Name)).Select(Path.GetFileName).Where(f => f!.StartsWith("10.", StringComparison.Ordinal)).Select(f => f!)]
            : [];

    /// <summary>The interfaces attached to the bridge (a veth per pod), a line each as `ip -o link` prints them.</summary>
    public async Task<IReadOnlyList<string>> PortsAsync()
    {
        var (_, output, _) = await ChildProcess.RunAsync("ip", ["-o", "link", "show", "master", Bridge]).ConfigureAwait(false);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>nat-table rules that mention this network (portmap tags each with its name), as iptables-save prints them.</summary>
    public async Task<IReadOnlyList<string>> NatRulesAsync()
    {
        var (_, output, _) = await ChildProcess.RunAsync("iptables-save", ["-t", "nat"]).ConfigureAwait(false);
        return [.. output.Split('\n').Where(line => line.Contains(Name, StringComparison.Ordinal))];
    }

    public async ValueTask DisposeAsync()
    {
        // A test that failed before its pods were removed: drop their host-port rules by hand.
        foreach (var rule in await NatRulesAsync().ConfigureAwait(false))
        {
            if (rule.StartsWith("-A ", StringComparison.Ordinal))
            {
                await ChildProcess.RunAsync("sh", ["-c", $"iptables -t nat -D {rule[3..]}"]).ConfigureAwait(false);
            }
        }

        await ChildProcess.RunAsync("ip", ["link", "del", Bridge]).ConfigureAwait(false);
    }
}
