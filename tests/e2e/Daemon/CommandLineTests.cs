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

    private static Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments) =>
        ChildProcess.RunAsync(RepositoryPaths.CrioBinary, arguments);
}
