using System.Text;
using CriO.Server.Http2;

namespace CriO.Server.Tests.Http2;

public class HostAuthorityTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:1234")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:10010")]
    [InlineData("[::1]")]
    [InlineData("[::1]:80")]
    [InlineData("[fe80::1:2]:8080")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("crio.example.com")]
    [InlineData("under_score-and~tilde")]
    [InlineData("host:")] // RFC 3986 port is *DIGIT
    public void Host_with_optional_port_is_valid(string authority)
    {
        Assert.True(HostAuthority.IsValid(Encoding.ASCII.GetBytes(authority)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/var/run/crio/crio.sock")]
    [InlineData("unix:///var/run/crio/crio.sock")]
    [InlineData("%2Fvar%2Frun%2Fcrio%2Fcrio.sock")] // gRPC C-core 1.57+: RFC-valid, refused by Kestrel
    [InlineData("localhost:12a")]
    [InlineData(":80")]
    [InlineData("user@localhost")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("[]")]
    [InlineData("[localhost]")]
    [InlineData("[::1%eth0]")]
    [InlineData("[v1.fe]")]
    [InlineData("a b")]
    [InlineData("a,b")]
    [InlineData("h\u00e9")]
    public void Path_empty_or_malformed_is_invalid(string authority)
    {
        Assert.False(HostAuthority.IsValid(Encoding.UTF8.GetBytes(authority)));
    }
}
