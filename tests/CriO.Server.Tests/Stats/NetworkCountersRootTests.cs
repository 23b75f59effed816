using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CriO.Server.Stats;
using CriO.Tests.Shared;

namespace CriO.Server.Tests.Stats;

/// <summary>
/// The counters of a real network namespace (needs root): a veth pair with one end inside, and
/// UDP datagrams (plus ping when iputils is there) sent to it from the test's own namespace: the
/// ARP exchange and the ICMP answers make the inside end both receive and send.
/// </summary>
public sealed class NetworkCountersRootTests
{
    private const string NetnsFolder = "/run/netns";

    [RootFact]
    public async Task The_interface_inside_a_namespace_shows_received_and_sent_bytes()
    {
        Assert.True(RootFactAttribute.IsRoot, "CI is set, so this test runs, but it needs root");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var netns = "crio-stats-" + suffix;
        var (outside, inside) = ("vh" + suffix, "vn" + suffix);
        var subnet = Random.Shared.Next(0, 256);
        var (outsideAddress, insideAddress) = ($"10.213.{subnet}.1", $"10.213.{subnet}.2");
        var wasMounted = IsMountPoint(NetnsFolder);
        var existed = Directory.Exists(NetnsFolder);
        try
        {
            await IpAsync("netns", "add", netns);
            await IpAsync("link", "add", outside, "type", "veth", "peer", "name", inside);
            await IpAsync("link", "set", inside, "netns", netns);
            await IpAsync("addr", "add", outsideAddress + "/30", "dev", outside);
            await IpAsync("link", "set", outside, "up");
            await IpAsync("-n", netns, "addr", "add", insideAddress + "/30", "dev", inside);
            await IpAsync("-n", netns, "link", "set", inside, "up");

            using (var udp = new UdpClient(AddressFamily.InterNetwork))
            {
                for (var i = 0; i < 3; i++)
                {
                    await udp.SendAsync(new byte[512], new IPEndPoint(IPAddress.Parse(insideAddress), 9));
                    await Task.Delay(100);
                }
            }

            if (File.Exists("/usr/bin/ping") || File.Exists("/bin/ping"))
            {
                var (code, output, errors) = await ChildProcess.RunAsync("ping", ["-c", "3", "-i", "0.2", "-W", "2", insideAddress], timeout: TimeSpan.FromSeconds(20));
                Assert.True(code == 0, $"ping: {output}{errors}");
            }

            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var interfaces = NetworkCounters.Read(Path.Combine(NetnsFolder, netns), DateTimeOffset.UtcNow);
                var usage = Assert.Single(interfaces);
                Assert.Equal(inside, usage.Name);
                if (usage.RxBytes.Value > 512 && usage.TxBytes.Value > 0)
                {
                    Assert.Equal(0ul, usage.RxErrors.Value);
                    Assert.Equal(0ul, usage.TxErrors.Value);
                    break;
                }

                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"rx {usage.RxBytes.Value}, tx {usage.TxBytes.Value}");
                await Task.Delay(100);
            }

            // Only the dedicated thread entered the namespace: the calling thread is where the process is.
            Assert.Equal(new FileInfo("/proc/self/ns/net").LinkTarget, new FileInfo("/proc/thread-self/ns/net").LinkTarget);
        }
        finally
        {
            await ChildProcess.RunAsync("ip", ["netns", "delete", netns], timeout: TimeSpan.FromSeconds(20));
            await ChildProcess.RunAsync("ip", ["link", "delete", outside], timeout: TimeSpan.FromSeconds(20));
            if (!wasMounted && IsMountPoint(NetnsFolder) && !Directory.EnumerateFileSystemEntries(NetnsFolder).Any())
            {
                await ChildProcess.RunAsync("umount", [NetnsFolder], timeout: TimeSpan.FromSeconds(20));
            }

            if (!existed && !IsMountPoint(NetnsFolder) && Directory.Exists(NetnsFolder) && !Directory.EnumerateFileSystemEntries(NetnsFolder).Any())
            {
                Directory.Delete(NetnsFolder);
            }
        }
    }

    private static async Task IpAsync(params string[] arguments)
    {
        var (code, output, errors) = await ChildProcess.RunAsync("ip", arguments, timeout: TimeSpan.FromSeconds(20));
        Assert.True(code == 0, $"ip {string.Join(' ', arguments)}: {output}{errors}");
    }

    private static bool IsMountPoint(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ')[4] == path);
}
