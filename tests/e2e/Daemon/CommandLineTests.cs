using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Daemon;

/// <summary>crio's command line, run from the built binary.</summary>
public class CommandLineTests
{
    [Fact]
    public async Task Help_lists_the_config_flags_and_subcommands()
    {
        var (exitCode, output, _) = await RunAsync("--help");

        Assert.Equal(0, exitCode);
        foreach (var expected in new[] { "--config", "--config-dir", "--root", "--runroot", "--listen", "--log-level", "--cgroup-manager", "config", "version" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Config_prints_the_effective_configuration_which_reads_back_unchanged()
    {
        using var folder = new CrioFolder();
        File.WriteAllText(Path.Combine(folder.DropInDirectory, "10-level.conf"), "[crio.runtime]\nlog_level = \"warn\"\n");

        var (exitCode, printed, _) = await RunAsync(["config", .. folder.DaemonArguments(), "--root", "/srv/from-flag"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("[crio.runtime]\n", printed, StringComparison.Ordinal);
        Assert.Contains("log_level = \"warn\"\n", printed, StringComparison.Ordinal);
        Assert.Contains("root = \"/srv/from-flag\"\n", printed, StringComparison.Ordinal);
        Assert.Contains($"listen = \"{folder.Socket}\"\n", printed, StringComparison.Ordinal);

        var printedFile = Path.Combine(folder.Root, "printed.conf");
        await File.WriteAllTextAsync(printedFile, printed);
        var emptyDropIns = Directory.CreateDirectory(Path.Combine(folder.Root, "none")).FullName;
        var (rereadExit, reprinted, _) = await RunAsync("config", "--config", printedFile, "--config-dir", emptyDropIns);
        Assert.Equal(0, rereadExit);
        Assert.Equal(printed, reprinted);
    }

    [Fact]
    public async Task Config_with_a_bad_value_fails_naming_file_and_key()
    {
        using var folder = new CrioFolder();
        folder.WriteConfig("loud");

        var (exitCode, _, errors) = await RunAsync(["config", .. folder.DaemonArguments()]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{folder.ConfigFile}: crio.runtime.log_level: must be one of", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_runtime_name_and_version()
    {
        var (exitCode, output, _) = await RunAsync("version");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^crio \d+\.\d+\.\d+ \(CRI v1\)", output);
    }

    [Fact]
    public async Task The_shipped_crio_conf_is_what_crio_config_prints_with_the_cgroup_manager_left_to_detection()
    {
        using var folder = new CrioFolder();
        var empty = Path.Combine(folder.Root, "empty.conf");
        await File.WriteAllTextAsync(empty, "");
        var emptyDropIns = Directory.CreateDirectory(Path.Combine(folder.Root, "none")).FullName;
        var shipped = await File.ReadAllLinesAsync(Path.Combine(RepositoryPaths.Root, "manifests", "crio.conf"));

        var (exitCode, printed, _) = await RunAsync("config", "--config", empty, "--config-dir", emptyDropIns);

        Assert.Equal(0, exitCode);
        Assert.Equal(
            printed.TrimEnd('\n').Split('\n').Where(line => !line.StartsWith("cgroup_manager = ", StringComparison.Ordinal)),
            shipped.Where(line => !line.Contains("cgroup_manager", StringComparison.Ordinal)));
        Assert.Contains("# cgroup_manager = \"systemd\"", shipped);
    }

    [Fact]
    public async Task The_systemd_unit_lets_containers_outlive_a_restart_and_reloads_with_SIGHUP()
    {
        var unit = await File.ReadAllLinesAsync(Path.Combine(RepositoryPaths.Root, "manifests", "systemd", "crio.service"));

        foreach (var line in new[] { "Type=notify", "Delegate=yes", "KillMode=process", "ExecReload=/bin/kill -s HUP $MAINPID", "ExecStart=/usr/local/bin/crio $CRIO_OPTIONS", "WantedBy=multi-user.target" })
        {
            Assert.Contains(line, unit);
        }
    }

    [Fact]
    public async Task Install_script_stages_crio_its_helpers_config_and_unit_and_keeps_an_operators_file()
    {
        using var folder = new CrioFolder();
        var stage = Path.Combine(folder.Root, "stage");
        Directory.CreateDirectory(Path.Combine(stage, "etc", "crio"));
        await File.WriteAllTextAsync(Path.Combine(stage, "etc", "crio", "crio.conf"), "# the operator's\n");

        var (exitCode, _, errors) = await ChildProcess.RunAsync("/usr/bin/env",
            [$"DESTDIR={stage}", $"CRIO_OUT={Path.GetDirectoryName(RepositoryPaths.CrioBinary)}", Path.Combine(RepositoryPaths.Root, "scripts", "install.sh")]);

        Assert.True(exitCode == 0, errors);
        foreach (var binary in new[] { "crio", "crio-conmon", "crio-pinns", "crio-pause", "crio-play" })
        {
            Assert.True(File.Exists(Path.Combine(stage, "usr", "local", "bin", binary)), binary);
        }

        Assert.Equal("# the operator's\n", await File.ReadAllTextAsync(Path.Combine(stage, "etc", "crio", "crio.conf")));
        Assert.True(File.Exists(Path.Combine(stage, "etc", "systemd", "system", "crio.service")));
        Assert.True(File.Exists(Path.Combine(stage, "etc", "crictl.yaml")));
        Assert.True(File.Exists(Path.Combine(stage, "etc", "cni", "net.d", "11-crio-ipv4-bridge.conflist")));
        var (versionExit, version, _) = await ChildProcess.RunAsync(Path.Combine(stage, "usr", "local", "bin", "crio"), ["version"]);
        Assert.Equal(0, versionExit);
        Assert.StartsWith("crio ", version, StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments) =>
        ChildProcess.RunAsync(RepositoryPaths.CrioBinary, arguments);
}
