using CriO.Server.Config;

namespace CriO.Server.Tests.Config;

public class ConfigLoaderTests
{
    [Fact]
    public void Without_files_the_defaults_are_CRI_O_s()
    {
        using var folder = new TempConfigFolder();

        var loaded = ConfigLoader.Load(folder.Sources());

        var c = loaded.Config;
        Assert.Empty(loaded.Warnings);
        Assert.Equal("/var/lib/containers/storage", c.Root);
        Assert.Equal("/run/containers/storage", c.RunRoot);
        Assert.Equal("overlay", c.StorageDriver);
        Assert.Equal("/var/run/crio/crio.sock", c.Api.Listen);
        Assert.Equal("127.0.0.1", c.Api.StreamAddress);
        Assert.Equal("0", c.Api.StreamPort);
        Assert.Equal("runc", c.Runtime.DefaultRuntime);
        Assert.Equal(["crun", "runc"], c.Runtime.Runtimes.Keys);
        Assert.Equal("info", c.Runtime.LogLevel);
        Assert.Equal(-1, c.Runtime.LogSizeMax);
        Assert.Contains("NET_BIND_SERVICE", c.Runtime.DefaultCapabilities);
        Assert.Equal("/etc/cni/net.d/", c.Network.NetworkDir);
        Assert.Contains("/usr/lib/cni/", c.Network.PluginDirs);
        Assert.Equal(9090, c.Metrics.MetricsPort);
        Assert.False(c.Metrics.EnableMetrics);
        Assert.Equal(Directory.Exists("/run/systemd/system") ? "systemd" : "cgroupfs", c.Runtime.CgroupManager);
    }

    [Fact]
    public void The_default_config_file_may_be_absent_but_a_named_one_may_not()
    {
        using var folder = new TempConfigFolder();

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(folder.Sources() with { FileRequired = true }));

        Assert.Equal(folder.File, error.Source);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Drop_ins_apply_after_the_main_file_in_lexical_order_key_by_key()
    {
        using var folder = new TempConfigFolder();
        folder.WriteMain("[crio]\nroot = \"/main\"\n[crio.runtime]\nlog_level = \"info\"\nctr_stop_timeout = 5\n");
        // Lexical, not numeric: "10-" sorts before "9-", so 9- wins.
        folder.WriteDropIn("9-late.conf", "[crio.runtime]\nlog_level = \"error\"\n");
        folder.WriteDropIn("10-early.conf", "[crio.runtime]\nlog_level = \"debug\"\n[crio.api]\nlisten = \"/run/x.sock\"\n");
        folder.WriteDropIn("README.md", "not toml, and not a .conf file");

        var c = ConfigLoader.Load(folder.Sources()).Config;

        Assert.Equal("error", c.Runtime.LogLevel);
        Assert.Equal("/run/x.sock", c.Api.Listen);
        Assert.Equal("/main", c.Root);
        Assert.Equal(5, c.Runtime.CtrStopTimeout);
    }

    [Fact]
    public void Flags_override_files()
    {
        using var folder = new TempConfigFolder();
        folder.WriteMain("[crio]\nroot = \"/from-file\"\n[crio.runtime]\nlog_level = \"debug\"\n");
        folder.WriteDropIn("01.conf", "[crio.network]\nplugin_dirs = [\"/drop-in\"]\n");
        var flags = new Dictionary<string, IReadOnlyList<string>>
        {
            ["--root"] = ["/from-flag"],
            ["--cni-plugin-dir"] = ["/a", "/b,/c"],
            ["--enable-metrics"] = ["true"],
            ["--metrics-port"] = ["9537"],
        };

        var c = ConfigLoader.Load(folder.Sources(flags)).Config;

        Assert.Equal("/from-flag", c.Root);
        Assert.Equal("debug", c.Runtime.LogLevel);
        Assert.Equal(["/a", "/b", "/c"], c.Network.PluginDirs);
        Assert.True(c.Metrics.EnableMetrics);
        Assert.Equal(9537, c.Metrics.MetricsPort);
    }

    [Fact]
    public void A_bad_flag_value_names_the_flag()
    {
        using var folder = new TempConfigFolder();
        var flags = new Dictionary<string, IReadOnlyList<string>> { ["--metrics-port"] = ["lots"] };

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(folder.Sources(flags)));

        Assert.Equal(ConfigLoader.CommandLineSource, error.Source);
        Assert.Equal("--metrics-port", error.Key);
    }

    [Fact]
    public void Unknown_keys_and_tables_are_warnings_naming_file_and_key()
    {
        using var folder = new TempConfigFolder();
        folder.WriteMain("[crio.runtime]\nlog_level = \"warn\"\nfuture_key = 1\n[crio.nri]\nenable_nri = true\n");
        var dropIn = folder.WriteDropIn("50.conf", "top = 1\n[crio.runtime.runtimes.runc]\nshiny = true\n");

        var loaded = ConfigLoader.Load(folder.Sources());

        Assert.Equal("warn", loaded.Config.Runtime.LogLevel);
        Assert.Contains(new ConfigWarning(folder.File, "crio.runtime.future_key", "unknown key, ignored"), loaded.Warnings);
        Assert.Contains(new ConfigWarning(folder.File, "crio.nri", "unknown table, ignored"), loaded.Warnings);
        Assert.Contains(new ConfigWarning(dropIn, "top", "unknown key, ignored"), loaded.Warnings);
        Assert.Contains(new ConfigWarning(dropIn, "crio.runtime.runtimes.runc.shiny", "unknown key, ignored"), loaded.Warnings);
        Assert.Equal(4, loaded.Warnings.Count);
    }

    [Theory]
    [InlineData("[crio.runtime]\nlog_size_max = \"big\"\n", "crio.runtime.log_size_max", "expected an integer")]
    [InlineData("[crio.runtime]\nlog_level = \"loud\"\n", "crio.runtime.log_level", "must be one of")]
    [InlineData("[crio.runtime]\ncgroup_manager = \"cgroupv3\"\n", "crio.runtime.cgroup_manager", "must be one of")]
    [InlineData("[crio.api]\nlisten = \"relative/crio.sock\"\n", "crio.api.listen", "absolute path")]
    [InlineData("[crio.network]\nplugin_dirs = [\"/ok\", 3]\n", "crio.network.plugin_dirs", "array of strings")]
    [InlineData("[crio.metrics]\nmetrics_port = 70000\n", "crio.metrics.metrics_port", "port number")]
    [InlineData("[crio.image]\nimage_pull_progress_timeout = \"soon\"\n", "crio.image.image_pull_progress_timeout", "duration")]
    [InlineData("[crio.runtime]\nselinux = \"yes\"\n", "crio.runtime.selinux", "expected a boolean")]
    [InlineData("[crio.runtime.runtimes.kata]\nruntime_path = \"kata\"\n", "crio.runtime.runtimes.kata.runtime_path", "absolute path")]
    [InlineData("[crio.runtime.runtimes]\nkata = \"/usr/bin/kata\"\n", "crio.runtime.runtimes.kata", "expected a table")]
    public void A_bad_value_stops_loading_naming_file_and_key(string toml, string key, string reason)
    {
        using var folder = new TempConfigFolder();
        var dropIn = folder.WriteDropIn("10-bad.conf", toml);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(folder.Sources()));

        Assert.Equal(dropIn, error.Source);
        Assert.Equal(key, error.Key);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"{dropIn}: {key}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_TOML_names_the_file()
    {
        using var folder = new TempConfigFolder();
        folder.WriteMain("[crio\nroot = ");

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(folder.Sources()));

        Assert.Equal(folder.File, error.Source);
        Assert.Contains("not valid TOML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runtime_handler_tables_add_handlers_and_the_default_must_exist()
    {
        using var folder = new TempConfigFolder();
        folder.WriteMain("[crio.runtime]\ndefault_runtime = \"kata\"\n[crio.runtime.runtimes.kata]\nruntime_path = \"/opt/kata/bin/kata-runtime\"\nmonitor_env = [\"A=1\"]\n");

        var c = ConfigLoader.Load(folder.Sources()).Config;

        Assert.Equal("kata", c.Runtime.DefaultRuntime);
        Assert.Equal("/opt/kata/bin/kata-runtime", c.Runtime.Runtimes["kata"].RuntimePath);
        Assert.Equal(["A=1"], c.Runtime.Runtimes["kata"].MonitorEnv);
        Assert.Contains("runc", c.Runtime.Runtimes.Keys);

        folder.WriteDropIn("99.conf", "[crio.runtime]\ndefault_runtime = \"gvisor\"\n");
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(folder.Sources()));
        Assert.Equal("crio.runtime.default_runtime", error.Key);
        Assert.Contains("gvisor", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_cgroups_other_than_the_pod_need_the_systemd_manager()
    {
        using var folder = new TempConfigFolder();
        folder.WriteMain("[crio.runtime]\ncgroup_manager = \"systemd\"\nconmon_cgroup = \"system.slice\"\n");
        Assert.Equal("system.slice", ConfigLoader.Load(folder.Sources()).Config.Runtime.ConmonCgroup);

        folder.WriteDropIn("50.conf", "[crio.runtime]\ncgroup_manager = \"cgroupfs\"\n");
        Assert.Equal("crio.runtime.conmon_cgroup", Assert.Throws<ConfigException>(() => ConfigLoader.Load(folder.Sources())).Key);

        folder.WriteDropIn("60.conf", "[crio.runtime]\nconmon_cgroup = \"\"\n[crio.runtime.runtimes.runc]\nmonitor_cgroup = \"system.slice\"\n");
        Assert.Equal("crio.runtime.runtimes.runc.monitor_cgroup", Assert.Throws<ConfigException>(() => ConfigLoader.Load(folder.Sources())).Key);
    }
}
