namespace CriO.Conmon.Client.Tests;

/// <summary>conmon's command line, checked against what CRI-O's CreateContainer passes.</summary>
public sealed class ConmonCommandLineTests
{
    private static readonly MonitorOptions Options = new()
    {
        ConmonPath = "/usr/bin/conmon",
        RuntimePath = "/usr/sbin/runc",
        RuntimeRoot = "/run/runc",
        ContainerId = "abc",
        Name = "k8s_ctr_pod_ns_uid_0",
        BundlePath = "/run/containers/storage/overlay-containers/abc/userdata",
        ConmonPidFile = "/run/containers/storage/overlay-containers/abc/userdata/conmon-pidfile",
        LogPath = "/var/log/pods/ns_pod_uid/ctr/0.log",
        ExitDirectory = "/var/run/crio/exits",
        SocketDirectory = "/var/run/crio",
        PersistDirectory = "/var/lib/containers/storage/overlay-containers/abc/userdata",
        LogSizeMax = -1,
    };

    [Fact]
    public void Default_options_give_CRI_Os_create_command_line()
    {
        Assert.Equal(
            [
                "-b", "/run/containers/storage/overlay-containers/abc/userdata",
                "-c", "abc",
                "--exit-dir", "/var/run/crio/exits",
                "-l", "k8s-file:/var/log/pods/ns_pod_uid/ctr/0.log",
                "--log-level", "info",
                "-n", "k8s_ctr_pod_ns_uid_0",
                "-P", "/run/containers/storage/overlay-containers/abc/userdata/conmon-pidfile",
                "-p", "/run/containers/storage/overlay-containers/abc/userdata/pidfile",
                "--persist-dir", "/var/lib/containers/storage/overlay-containers/abc/userdata",
                "-r", "/usr/sbin/runc",
                "--runtime-arg", "--root=/run/runc",
                "--socket-dir-path", "/var/run/crio",
                "-u", "abc",
            ],
            ConmonCommandLine.Build(Options));
    }

    [Fact]
    public void Stdin_without_stdin_once_leaves_stdin_open()
    {
        var args = ConmonCommandLine.Build(Options with { Stdin = true, StdinOnce = false });
        Assert.Equal(["--leave-stdin-open", "-i"], args.TakeLast(2));
    }

    [Fact]
    public void Stdin_once_closes_stdin_after_the_first_attach()
    {
        var args = ConmonCommandLine.Build(Options with { Stdin = true, StdinOnce = true });
        Assert.Equal("-i", args[^1]);
        Assert.DoesNotContain("--leave-stdin-open", args);
    }

    [Fact]
    public void Terminal_wins_over_stdin()
    {
        var args = ConmonCommandLine.Build(Options with { Terminal = true, Stdin = true });
        Assert.Contains("-t", args);
        Assert.DoesNotContain("-i", args);
    }

    [Fact]
    public void Optional_flags_appear_only_when_set()
    {
        var args = ConmonCommandLine.Build(Options with
        {
            LogSizeMax = 1024,
            Syslog = true,
            SystemdCgroup = true,
            NoPivot = true,
            NoSyncLog = true,
            FullAttach = true,
            ExitCommand = "/usr/bin/crio-exit",
            ExitCommandArguments = ["--id", "abc"],
            RuntimeOptions = ["--tcp-established"],
        });

        Assert.Equal("1024", args[args.ToList().IndexOf("--log-size-max") + 1]);
        Assert.Contains("--syslog", args);
        Assert.Contains("-s", args);
        Assert.Contains("--no-pivot", args);
        Assert.Contains("--no-sync-log", args);
        Assert.Contains("--full-attach", args);
        Assert.Equal(
            ["--exit-command", "/usr/bin/crio-exit", "--exit-command-arg", "--id", "--exit-command-arg", "abc", "--runtime-opt", "--tcp-established"],
            args.TakeLast(8));
        Assert.DoesNotContain("--syslog", ConmonCommandLine.Build(Options));
    }

    [Fact]
    public void Attach_socket_is_under_the_socket_folder_unless_full_attach()
    {
        Assert.Equal("/var/run/crio/abc/attach", MonitorFiles.AttachSocket(Options));
        Assert.Equal("/run/containers/storage/overlay-containers/abc/userdata/attach", MonitorFiles.AttachSocket(Options with { FullAttach = true }));
        Assert.Equal("/run/containers/storage/overlay-containers/abc/userdata/ctl", MonitorFiles.ControlFifo(Options));
    }
}
