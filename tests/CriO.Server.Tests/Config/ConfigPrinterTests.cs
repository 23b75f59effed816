using System.Text.Json;
using CriO.Server.Config;

namespace CriO.Server.Tests.Config;

public class ConfigPrinterTests
{
    [Fact]
    public void Printed_defaults_read_back_unchanged()
    {
        var printed = ConfigPrinter.ToToml(new CrioConfig());

        AssertReadsBackUnchanged(printed);
    }

    [Fact]
    public void Printed_changed_values_read_back_unchanged_including_awkward_strings()
    {
        using var folder = new TempConfigFolder();
        folder.WriteMain("""
            [crio]
            root = "/srv/storage"
            storage_option = ["overlay.mountopt=nodev", "quote\"back\\slash"]
            [crio.runtime]
            log_level = "debug"
            log_size_max = 16384
            default_env = ["TAB=a\tb", "NEWLINE=a\nb", "UNICODE=é"]
            [crio.runtime.runtimes."my.handler"]
            runtime_path = "/usr/bin/crun"
            [crio.image]
            pause_image = "localhost:5000/pause:3.10"
            [crio.metrics]
            enable_metrics = true
            """);
        var config = ConfigLoader.Load(folder.Sources()).Config;

        var printed = ConfigPrinter.ToToml(config);

        Assert.Contains("[crio.runtime.runtimes.\"my.handler\"]", printed, StringComparison.Ordinal);
        AssertReadsBackUnchanged(printed);
        var reread = Reread(printed);
        Assert.Equal(["TAB=a\tb", "NEWLINE=a\nb", "UNICODE=é"], reread.Runtime.DefaultEnv);
        Assert.Equal("quote\"back\\slash", reread.StorageOptions[1]);
        Assert.Equal("/usr/bin/crun", reread.Runtime.Runtimes["my.handler"].RuntimePath);
        Assert.Equal(16384, reread.Runtime.LogSizeMax);
    }

    [Fact]
    public void Every_key_of_the_schema_is_printed()
    {
        var printed = ConfigPrinter.ToToml(new CrioConfig());

        foreach (var table in ConfigSchema.Tables)
        {
            Assert.Contains($"[{table.Name}]\n", printed, StringComparison.Ordinal);
            foreach (var key in table.Keys)
            {
                Assert.Contains($"\n{key.Name} = ", printed, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Json_has_every_table_and_the_runtime_handlers()
    {
        using var json = JsonDocument.Parse(ConfigPrinter.ToJson(new CrioConfig()));

        Assert.Equal("/var/run/crio/crio.sock", json.RootElement.GetProperty("crio.api").GetProperty("listen").GetString());
        Assert.Equal(-1, json.RootElement.GetProperty("crio.runtime").GetProperty("log_size_max").GetInt64());
        Assert.Equal("/run/runc", json.RootElement.GetProperty(ConfigSchema.RuntimesTable).GetProperty("runc").GetProperty("runtime_root").GetString());
    }

    private static CrioConfig Reread(string printed)
    {
        var config = new CrioConfig();
        var warnings = new List<ConfigWarning>();
        ConfigLoader.ApplyText(config, printed, "printed", warnings);
        Assert.Empty(warnings);
        return config;
    }

    private static void AssertReadsBackUnchanged(string printed) =>
        Assert.Equal(printed, ConfigPrinter.ToToml(Reread(printed)));
}
