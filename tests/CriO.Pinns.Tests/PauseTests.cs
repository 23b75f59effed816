using System.Diagnostics;
using System.Globalization;
using CriO.Tests.Shared;

namespace CriO.Pinns.Tests;

/// <summary>crio-pinns --pause and crio-pause: a pod's PID 1 in its own PID namespace.</summary>
public sealed class PauseTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_pause_is_pid_1_of_a_new_pid_namespace_inside_the_pinned_namespaces()
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--net", "--ipc", "--uts", "--hostname", "paused", "--pause", Binaries.Pause);

        Assert.True(run.ExitCode == 0, run.ToString());
        var pid = run.PausePid ?? throw new InvalidOperationException(run.ToString());
        Assert.NotEqual(ProcessInfo.Namespace(Environment.ProcessId, "pid"), ProcessInfo.Namespace(pid, "pid"));
        Assert.Equal("1", ProcessInfo.Status(pid, "NSpid")!.Split('\t', ' ').Last());
        foreach (var kind in new[] { "net", "ipc", "uts" })
        {
            Assert.Equal(await Commands.PinnedNamespaceAsync(kind, folder.Pin(kind, "pod")), ProcessInfo.Namespace(pid, kind));
        }

        // Not our child (pinns exited and it was reparented), and holding none of pinns' pipes.
        Assert.NotEqual(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), ProcessInfo.Status(pid, "PPid"));
        foreach (var fd in new[] { 0, 1, 2 })
        {
            Assert.Equal("/dev/null", new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget);
        }

        // Once set up: no privileges left, asleep without using the CPU.
        Assert.True(
            await ProcessInfo.EventuallyAsync(() => ProcessInfo.Status(pid, "NoNewPrivs") == "1" && ProcessInfo.Status(pid, "CapEff") == "0000000000000000", Bound),
            $"NoNewPrivs {ProcessInfo.Status(pid, "NoNewPrivs")}, CapEff {ProcessInfo.Status(pid, "CapEff")}");
        Assert.Equal("0000000000000000", ProcessInfo.Status(pid, "CapBnd"));
        await Task.Delay(500);
        var ticks = ProcessInfo.CpuTicks(pid);
        await Task.Delay(1000);
        Assert.InRange(ProcessInfo.CpuTicks(pid) - ticks, 0, 5);
        Assert.StartsWith("S", ProcessInfo.Status(pid, "State"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_pause_root_the_pause_chroots_into_a_folder_pinns_made_empty_and_read_only()
    {
        using var folder = new PinsFolder();
        var root = Path.Join(folder.Root, "pause-root");

        var run = await folder.PinAsync("pod", "--net", "--pause", Binaries.Pause, "--pause-root", root);

        Assert.True(run.ExitCode == 0, run.ToString());
        var pid = run.PausePid ?? throw new InvalidOperationException(run.ToString());
        Assert.True(
            await ProcessInfo.EventuallyAsync(() => new FileInfo($"/proc/{pid}/root").LinkTarget == root, Bound),
            $"root of the pause: {new FileInfo($"/proc/{pid}/root").LinkTarget}");
        Assert.Empty(Directory.GetFileSystemEntries(root));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserExecute, File.GetUnixFileMode(root));
    }

    [Theory]
    [InlineData("--pause-root", "/x")]
    [InlineData("--pause-root", "relative")]
    public async Task Pause_root_needs_pause_and_an_absolute_folder(string option, string value)
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--net", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--pause-root", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pause_exits_on_a_SIGTERM_sent_as_soon_as_pinns_returns_though_it_is_not_our_child()
    {
        // Several rounds: a SIGTERM that arrives while the pause is still starting must not be lost.
        for (var round = 0; round < 5; round++)
        {
            using var folder = new PinsFolder();
            var run = await folder.PinAsync("pod", "--net", "--pause", Binaries.Pause);
            Assert.True(run.ExitCode == 0, run.ToString());
            var pid = run.PausePid!.Value;
            if (IsJitBuild(Binaries.Pause))
            {
                // pinns takes the JIT runtime's own SIGTERM handler for readiness, before the
                // pause blocked the signal in its threads; the NativeAOT build installs none.
                Assert.True(await ProcessInfo.EventuallyAsync(() => ProcessInfo.BlocksInEveryThread(pid, NativeCalls.SigTerm), Bound));
            }

            Assert.True(NativeCalls.Signal(pid, NativeCalls.SigTerm));

            Assert.True(await ProcessInfo.EventuallyAsync(() => ProcessInfo.HasEnded(pid), Bound), $"round {round}: the pause is still running");
            if (ProcessInfo.Stat(pid) is { } zombie)
            {
                // Not reaped yet by init: the exit status is still readable (field 52 of /proc/PID/stat).
                Assert.Equal("0", zombie[^1]);
            }
        }
    }

    [Fact]
    public async Task The_pause_reaps_orphans_of_its_pid_namespace()
    {
        using var folder = new PinsFolder();
        var run = await folder.PinAsync("pod", "--pause", Binaries.Pause);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["pausePid"], run.Json.Keys);
        var pid = run.PausePid!.Value;
        Assert.True(await ProcessInfo.EventuallyAsync(() => ProcessInfo.Status(pid, "NoNewPrivs") == "1", Bound));

        // sh runs in the pause's PID namespace, starts sleep and exits: sleep is orphaned, and
        // the kernel hands it to the namespace's init, the pause. (sleep must not hold the pipes
        // whose end RunAsync waits for.)
        await Commands.RunAsync(
            "nsenter", "--target", pid.ToString(CultureInfo.InvariantCulture), "--pid", "--",
            "sh", "-c", "sleep 2 </dev/null >/dev/null 2>&1 & exit 0");
        var orphan = Assert.Single(ProcessInfo.Children(pid));
        Assert.Equal("sleep", orphan.Name);

        Assert.True(
            await ProcessInfo.EventuallyAsync(() => ProcessInfo.Children(pid).Count == 0, Bound),
            $"left unreaped: {string.Join(", ", ProcessInfo.Children(pid))}");
        Assert.False(ProcessInfo.HasEnded(pid));
    }

    [Theory]
    [InlineData(NativeCalls.SigTerm)]
    [InlineData(NativeCalls.SigInt)]
    public async Task The_pause_exits_0_on_SIGTERM_or_SIGINT_and_ignores_SIGHUP_and_SIGUSR1(int signal)
    {
        using var pause = Process.Start(new ProcessStartInfo(Binaries.Pause) { RedirectStandardError = true })!;
        try
        {
            Assert.True(
                await ProcessInfo.EventuallyAsync(() => ProcessInfo.Status(pause.Id, "CapEff") == "0000000000000000", Bound),
                "the pause did not finish setting up");
            NativeCalls.Signal(pause.Id, NativeCalls.SigHup);
            NativeCalls.Signal(pause.Id, NativeCalls.SigUsr1);
            await Task.Delay(200);
            Assert.False(pause.HasExited);

            NativeCalls.Signal(pause.Id, signal);

            using var deadline = new CancellationTokenSource(Bound);
            await pause.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, pause.ExitCode);
        }
        finally
        {
            if (!pause.HasExited)
            {
                pause.Kill();
            }
        }
    }

    [Fact]
    public async Task The_pause_prints_its_version_and_refuses_unknown_options()
    {
        var version = await ChildProcess.RunAsync(Binaries.Pause, ["--version"]);
        var unknown = await ChildProcess.RunAsync(Binaries.Pause, ["--bogus"]);
        var missing = await ChildProcess.RunAsync(Binaries.Pause, ["--root"]);

        Assert.Equal((0, "crio-pause version 0.1.0\n"), (version.ExitCode, version.Output));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--bogus", unknown.Errors, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
    }

    /// <summary>A framework-dependent apphost has its managed assembly beside it; a NativeAOT binary does not.</summary>
    private static bool IsJitBuild(string binary) => File.Exists(binary + ".dll");

    [Fact]
    public async Task A_pause_that_cannot_start_fails_with_exit_1_and_undoes_the_pins()
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", "--net", "--ipc", "--uts", "--pause", Path.Join(folder.Root, "no-such-pause"));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("no-such-pause", run.Errors, StringComparison.Ordinal);
        Assert.Empty(folder.Files());
        Assert.Empty(folder.PinMounts());
    }
}
