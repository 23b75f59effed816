using System.Net;
using System.Text;
using CriO.Cni.Results;
using CriO.Cni.Tests.Fakes;

namespace CriO.Cni.Tests.Results;

/// <summary>Results of each spec version the runtime accepts.</summary>
public sealed class ResultParserTests
{
    [Fact]
    public void Reads_a_1_0_0_result()
    {
        var status = ResultParser.Parse("net", Encoding.UTF8.GetBytes(FakeResults.V100));

        Assert.Equal(["10.88.0.5/16", "fd00::5/64"], status.Ips.Select(i => i.Address));
        Assert.Equal(IPAddress.Parse("fd00::5"), status.Ips[1].Ip);
        Assert.Equal("fd00::1", status.Ips[1].Gateway);
        Assert.Equal("aa:bb:cc:dd:ee:02", status.Interfaces[1].Mac);
        Assert.Equal(["default.svc.cluster.local"], status.Dns!.Search);
        Assert.Equal(["ndots:5"], status.Dns.Options);
    }

    [Fact]
    public void Reads_a_0_3_1_result_like_a_0_4_0_one()
    {
        var json = """{"cniVersion":"0.3.1","interfaces":[{"name":"eth0"}],"ips":[{"version":"4","address":"192.168.1.2/24","gateway":"192.168.1.1","interface":0}],"routes":[{"dst":"0.0.0.0/0"}]}""";

        var status = ResultParser.Parse("net", Encoding.UTF8.GetBytes(json));

        var ip = Assert.Single(status.Ips);
        Assert.Equal(IPAddress.Parse("192.168.1.2"), ip.Ip);
        Assert.Equal(24, ip.PrefixLength);
        Assert.Equal(0, ip.InterfaceIndex);
        Assert.Null(status.Dns);
    }

    [Fact]
    public void Reads_a_0_2_0_result_from_ip4_and_ip6()
    {
        var json = """{"cniVersion":"0.2.0","ip4":{"ip":"10.1.0.2/16","gateway":"10.1.0.1","routes":[{"dst":"0.0.0.0/0"}]},"ip6":{"ip":"fd01::2/64"}}""";

        var status = ResultParser.Parse("net", Encoding.UTF8.GetBytes(json));

        Assert.Equal(["10.1.0.2/16", "fd01::2/64"], status.Ips.Select(i => i.Address));
        Assert.Equal("0.0.0.0/0", Assert.Single(status.Routes).Dst);
    }

    [Theory]
    [InlineData("""{"ips":[{"address":"10.0.0.300/24"}]}""")]
    [InlineData("""{"ips":[{"address":"10.0.0.3"}]}""")]
    [InlineData("""{"ips":[{"address":"10.0.0.3/33"}]}""")]
    [InlineData("""{"ips":[{"address":"10.0.0.3/24","gateway":"nope"}]}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""not json""")]
    public void Refuses_what_is_not_a_result(string json)
    {
        Assert.Throws<InvalidDataException>(() => ResultParser.Parse("net", Encoding.UTF8.GetBytes(json)));
    }
}
