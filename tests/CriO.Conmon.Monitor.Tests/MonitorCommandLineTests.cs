using CriO.Conmon.Client;
using CriO.Conmon.Monitor;

namespace CriO.Conmon.Monitor.Tests;

public sealed class MonitorCommandLineTests
{
    [Fact]
    public void The_daemons_own_command_line_parses_whole()
    {
        var options = new MonitorOptions
        {
            ConmonPath = "/usr/bin/crio-conmon", RuntimePath = "/usr/sbin/runc", RuntimeRoot = "/run/runc", ContainerId = "c0ffee", Name = "k8s_app",
            BundlePath = "/run/b", ConmonPidFile = "/run/b/conmon-pidfile", LogPath = "/var/log/pods/app/0.log", ExitDirectory = "/run/exits",
            SocketDirectory = "/run/sockets", PersistDirectory = "/run/b", LogSizeMax = 4096, Stdin = true, StdinOnce = false,
            ExitCommand = "/usr/bin/crio", ExitCommandArguments = ["--exited"], RuntimeOptions = ["--debug"],
        };

        var line = MonitorCommandLine.Parse([.. ConmonCommandLine.Build(options)]);

        Assert.Equal(("c0ffee", "k8s_app", "/usr/sbin/runc", "/run/b"), (line.ContainerId, line.Name, line.RuntimePath, line.BundlePath));
        Assert.Equal("/var/log/pods/app/0.log", line.LogPath);
        Assert.Equal(("/run/exits", "/run/sockets", "/run/b"), (line.ExitDirectory, line.SocketDirectory, line.PersistDirectory));
        Assert.Equal(4096, line.LogSizeMax);
        Assert.True(line.Stdin);
        Assert.True(line.LeaveStdinOpen);
        Assert.Equal(["--root=/run/runc"], line.RuntimeArguments);
        Assert.Equal(["--debug"], line.RuntimeOptions);
        Assert.Equal(("/usr/bin/crio", "--exited"), (line.ExitCommand, line.ExitCommandArguments.Single()));
        Assert.Equal(options.EffectiveContainerPidFile, line.ContainerPidFile);
    }

    [Fact]
    public void Both_spellings_of_a_value_and_short_names_are_read()
    {
        var line = MonitorCommandLine.Parse(["-c", "id1", "--runtime=/bin/runc", "-b/b", "--exit-dir", "/e", "-l", "/l.log"]);

        Assert.Equal(("id1", "/bin/runc", "/b", "/e", "/l.log"), (line.ContainerId, line.RuntimePath, line.BundlePath, line.ExitDirectory, line.LogPath));
        Assert.Equal("id1", line.Uuid);
    }

    [Theory]
    [InlineData("unknown option --frobnicate", "--frobnicate")]
    [InlineData("needs a value", "--cid")]
    [InlineData("takes no value", "--terminal=yes")]
    [InlineData("is not a number", "--log-size-max", "big")]
    [InlineData("log driver \"journald\"", "-l", "journald:")]
    [InlineData("streaming exec and checkpoint", "--exec-attach")]
    [InlineData("--exec-process-spec is required", "-e", "-c", "x", "-r", "/runc", "-l", "/l")]
    [InlineData("unexpected argument", "stray")]
    [InlineData("--runtime is required", "-c", "x", "-b", "/b", "--exit-dir", "/e", "-l", "/l")]
    public void What_it_cannot_run_is_refused_naming_the_problem(string expected, params string[] args)
    {
        var e = Assert.Throws<UsageException>(() => MonitorCommandLine.Parse(args));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_mode_takes_its_spec_timeout_and_sync_and_runs_in_the_current_folder()
    {
        var line = MonitorCommandLine.Parse(["-c", "id1", "-r", "/runc", "-p", "/p", "-e", "-l", "/l.log", "--exec-process-spec", "/spec.json", "-T", "5", "--sync"]);

        Assert.True(line.Exec);
        Assert.Equal(("/spec.json", 5, true), (line.ExecProcessSpec, line.TimeoutSeconds, line.Sync));
        Assert.Equal(Environment.CurrentDirectory, line.BundlePath);
    }

    [Fact]
    public void Version_needs_nothing_else() => Assert.True(MonitorCommandLine.Parse(["--version"]).Version);
}
