using CriO.Server.Config;

namespace CriO.Server.Tests.Config;

public class ConfigReloadTests
{
    private static CrioConfig Load(string toml)
    {
        var config = new CrioConfig();
        ConfigLoader.ApplyText(config, toml, "test", []);
        return config;
    }

    [Fact]
    public void Live_keys_change_and_the_rest_keeps_the_running_value_and_is_reported()
    {
        var running = Load("[crio]\nroot = \"/srv/a\"\n[crio.api]\nlisten = \"/run/a.sock\"\n[crio.runtime]\nlog_level = \"info\"\n");
        var reloaded = Load("""
            [crio]
            root = "/srv/b"
            [crio.api]
            listen = "/run/b.sock"
            [crio.runtime]
            log_level = "debug"
            default_runtime = "crun"
            [crio.image]
            pause_image = "registry.example/pause:9"
            pinned_images = ["registry.example/keep:*"]
            """);

        var result = ConfigReload.Apply(running, reloaded);

        Assert.Equal("debug", result.Config.Runtime.LogLevel);
        Assert.Equal("crun", result.Config.Runtime.DefaultRuntime);
        Assert.Equal("registry.example/pause:9", result.Config.Image.PauseImage);
        Assert.Equal(["registry.example/keep:*"], result.Config.Image.PinnedImages);
        Assert.Equal("/srv/a", result.Config.Root);
        Assert.Equal("/run/a.sock", result.Config.Api.Listen);
        Assert.Equal(["crio.image.pause_image", "crio.image.pinned_images", "crio.runtime.default_runtime", "crio.runtime.log_level"], result.Applied.Order(StringComparer.Ordinal));
        Assert.Equal(["crio.root", "crio.api.listen"], result.NeedRestart);
        Assert.Equal("info", running.Runtime.LogLevel);
    }

    [Fact]
    public void Runtime_handlers_are_added_and_changed_and_a_removed_one_stays_until_a_restart()
    {
        var running = Load("[crio.runtime.runtimes.kata]\nruntime_path = \"/usr/bin/kata\"\n");
        var reloaded = Load("""
            [crio.runtime.runtimes.runc]
            runtime_root = "/run/other-runc"
            [crio.runtime.runtimes.youki]
            runtime_path = "/usr/bin/youki"
            """);

        var result = ConfigReload.Apply(running, reloaded);

        Assert.Equal("/usr/bin/youki", result.Config.Runtime.Runtimes["youki"].RuntimePath);
        Assert.Equal("/run/other-runc", result.Config.Runtime.Runtimes["runc"].RuntimeRoot);
        Assert.Equal("/usr/bin/kata", result.Config.Runtime.Runtimes["kata"].RuntimePath);
        Assert.Contains("crio.runtime.runtimes.youki (added)", result.Applied);
        Assert.Contains("crio.runtime.runtimes.runc (changed)", result.Applied);
        Assert.DoesNotContain(result.Applied, a => a.Contains("crun", StringComparison.Ordinal));
        Assert.Equal(["crio.runtime.runtimes.kata (removed: kept until a restart)"], result.NeedRestart);
    }

    [Fact]
    public void An_unchanged_file_changes_nothing()
    {
        var running = Load("[crio.runtime]\nlog_level = \"warn\"\n");

        var result = ConfigReload.Apply(running, Load("[crio.runtime]\nlog_level = \"warn\"\n"));

        Assert.Empty(result.Applied);
        Assert.Empty(result.NeedRestart);
        Assert.Equal(ConfigPrinter.ToToml(running), ConfigPrinter.ToToml(result.Config));
    }
}
