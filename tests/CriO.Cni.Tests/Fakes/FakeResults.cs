namespace CriO.Cni.Tests.Fakes;

/// <summary>Results as plugins print them, one per spec version, with both address families.</summary>
internal static class FakeResults
{
    public const string V100 = """
        {"cniVersion":"1.0.0","interfaces":[{"name":"cni0","mac":"aa:bb:cc:dd:ee:01"},{"name":"eth0","mac":"aa:bb:cc:dd:ee:02","sandbox":"/var/run/netns/test"}],"ips":[{"address":"10.88.0.5/16","gateway":"10.88.0.1","interface":1},{"address":"fd00::5/64","gateway":"fd00::1","interface":1}],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0","gw":"fd00::1"}],"dns":{"nameservers":["10.96.0.10"],"domain":"cluster.local","search":["default.svc.cluster.local"],"options":["ndots:5"]}}
        """;

    public const string V040 = """
        {"cniVersion":"0.4.0","interfaces":[{"name":"eth0","mac":"aa:bb:cc:dd:ee:02","sandbox":"/var/run/netns/test"}],"ips":[{"version":"4","address":"10.88.0.6/16","gateway":"10.88.0.1","interface":0},{"version":"6","address":"fd00::6/64","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"10.88.0.1"}],"dns":{}}
        """;

    /// <summary>A second plugin's result, told apart from <see cref="V100"/> by its address.</summary>
    public const string V100Other = """
        {"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/test"}],"ips":[{"address":"10.99.0.7/24","interface":0}]}
        """;
}
