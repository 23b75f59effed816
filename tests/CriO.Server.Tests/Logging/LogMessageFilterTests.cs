using CriO.Server.Config;
using CriO.Server.Logging;
using CriO.Server.Tests.Config;

namespace CriO.Server.Tests.Logging;

public class LogMessageFilterTests
{
    [Fact]
    public void Empty_allows_everything_and_a_pattern_only_what_matches()
    {
        var filter = new LogMessageFilter("");
        Assert.True(filter.Allows("anything"));

        filter.Set("^RunPodSandbox|pod [a-f0-9]{6}");
        Assert.True(filter.Allows("RunPodSandbox: request"));
        Assert.True(filter.Allows("stopping pod abc123"));
        Assert.False(filter.Allows("Version: request"));

        filter.Set("");
        Assert.True(filter.Allows("Version: request"));
    }

    [Fact]
    public void A_pattern_that_does_not_compile_stops_loading_naming_the_key()
    {
        using var folder = new TempConfigFolder();
        folder.WriteMain("[crio.runtime]\nlog_filter = \"(unclosed\"\n");

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(folder.Sources()));

        Assert.Equal("crio.runtime.log_filter", error.Key);
        Assert.Contains("regular expression", error.Reason, StringComparison.Ordinal);
    }
}
