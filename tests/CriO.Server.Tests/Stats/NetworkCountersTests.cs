using CriO.Server.Stats;

namespace CriO.Server.Tests.Stats;

public sealed class NetworkCountersTests
{
    internal const string Sample = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    1296      16    0    0    0     0          0         0     1296      16    0    0    0     0       0          0
          net1:      10       1    0    0    0     0          0         0       20       2    0    0    0     0       0          0
          eth0:12345678901  9000    3    0    0     0          0         0   654321    4000    7    0    0     0       0          0

        """;

    [Fact]
    public void Proc_net_dev_gives_bytes_and_errors_per_interface_without_lo_sorted_by_name()
    {
        var interfaces = NetworkCounters.Parse(Sample);

        Assert.Equal(2, interfaces.Count);
        var eth0 = interfaces[0];
        Assert.Equal(
            ("eth0", 12345678901ul, 3ul, 654321ul, 7ul),
            (eth0.Name, eth0.RxBytes.Value, eth0.RxErrors.Value, eth0.TxBytes.Value, eth0.TxErrors.Value));
        Assert.Equal(("net1", 10ul, 20ul), (interfaces[1].Name, interfaces[1].RxBytes.Value, interfaces[1].TxBytes.Value));
    }

    [Fact]
    public void Short_or_empty_input_gives_no_interfaces()
    {
        Assert.Empty(NetworkCounters.Parse(""));
        Assert.Empty(NetworkCounters.Parse("eth0: 1 2 3\n"));
    }

    [Fact]
    public void A_namespace_file_that_is_gone_gives_no_interfaces()
    {
        Assert.Empty(NetworkCounters.Read("/var/run/netns/crio-stats-does-not-exist", DateTimeOffset.UtcNow));
    }
}
