using System.Text;
using CriO.Cni.Cache;
using CriO.Cni.Tests.Fakes;

namespace CriO.Cni.Tests.Cache;

/// <summary>The result cache in libcni's on-disk format.</summary>
public sealed class ResultCacheTests : IDisposable
{
    private readonly CniTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void Reads_an_entry_as_libcni_writes_it()
    {
        var config = """{"cniVersion":"0.4.0","name":"crio","plugins":[{"type":"bridge"},{"type":"portmap","capabilities":{"portMappings":true}}]}""";
        var json = $$$"""
            {"kind":"cniCacheV1","containerId":"abc123","config":"{{{Convert.ToBase64String(Encoding.UTF8.GetBytes(config))}}}","ifName":"eth0","networkName":"crio",
             "cniArgs":[["IgnoreUnknown","1"],["K8S_POD_NAME","web"]],
             "capabilityArgs":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]},
             "result":{"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.88.0.2/16"}]}}
            """;
        var cache = new ResultCache(_bed.CacheDirectory);
        Directory.CreateDirectory(cache.ResultsDirectory);
        File.WriteAllText(cache.PathOf("crio", "abc123", "eth0"), json);

        var problems = new List<(string, string)>();
        var (path, entry) = Assert.Single(cache.Find("abc123", "eth0", problems));

        Assert.Empty(problems);
        Assert.Equal(cache.PathOf("crio", "abc123", "eth0"), path);
        Assert.Equal("crio", entry.NetworkName);
        Assert.Equal(config, Encoding.UTF8.GetString(entry.Config));
        Assert.Equal([new("IgnoreUnknown", "1"), new("K8S_POD_NAME", "web")], entry.CniArgs);
        Assert.Equal(["portMappings"], entry.CapabilityArgs.Values.Keys);
        Assert.Contains("10.88.0.2/16", Encoding.UTF8.GetString(entry.Result!), StringComparison.Ordinal);
    }

    [Fact]
    public void Find_skips_other_containers_and_reports_unreadable_entries()
    {
        var cache = new ResultCache(_bed.CacheDirectory);
        Directory.CreateDirectory(cache.ResultsDirectory);
        File.WriteAllText(cache.PathOf("net", "abc", "eth0"), "garbage");
        File.WriteAllText(cache.PathOf("net", "xabc", "eth1"), "{}");

        var problems = new List<(string Path, string Error)>();
        var found = cache.Find("abc", "eth0", problems);

        Assert.Empty(found);
        Assert.Equal(cache.PathOf("net", "abc", "eth0"), Assert.Single(problems).Path);
    }

    [Fact]
    public void Write_replaces_atomically_and_leaves_no_temporary_file()
    {
        var cache = new ResultCache(_bed.CacheDirectory);
        var entry = new CacheEntry("abc", "net", "eth0", "", Encoding.UTF8.GetBytes("{}"), [], CriO.Cni.Config.CapabilityArgs.None, Encoding.UTF8.GetBytes("""{"cniVersion":"1.0.0"}"""));

        cache.Write(entry);
        var path = cache.Write(entry with { NetNs = "/var/run/netns/x" });

        Assert.Equal([path], Directory.GetFiles(cache.ResultsDirectory));
        Assert.Equal("/var/run/netns/x", ResultCache.Read(path).NetNs);
        Assert.DoesNotContain("capabilityArgs", File.ReadAllText(path), StringComparison.Ordinal);
    }
}
