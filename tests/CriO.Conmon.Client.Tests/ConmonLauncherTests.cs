using Xunit.Abstractions;

namespace CriO.Conmon.Client.Tests;

/// <summary>
/// The whole monitor handshake against Debian's conmon 2.1.6 and CriO's crio-conmon, each with
/// runc 1.1.5 (needs root): create through the monitor, start through runc, exit file, CRI log,
/// control FIFO.
/// </summary>
public sealed class ConmonLauncherTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [ConmonTheory]
    [MemberData(nameof(ConmonFactAttribute.Monitors), MemberType = typeof(ConmonFactAttribute))]
    public async Task Container_runs_to_its_exit_code_and_its_output_is_in_the_CRI_log(string monitor)
    {
        await using var bundle = TestBundle.CreateFor(monitor, "/busybox", "sh", "-c", "echo out; echo err >&2; printf partial; exit 3");
        var launcher = new ConmonLauncher();

        var started = await launcher.StartAsync(bundle.Options, Bound);

        Assert.True(started.ContainerPid > 0);
        Assert.NotNull(started.ConmonPid);
        Assert.Equal(started.ContainerPid, MonitorFiles.ReadPid(bundle.Options.EffectiveContainerPidFile));
        Assert.Null(ExitFile.ReadExitCode(bundle.Options.ExitDirectory, bundle.Id));
        Assert.True(File.Exists(MonitorFiles.ControlFifo(bundle.Options)), "control FIFO in the bundle");
        Assert.True(File.Exists(MonitorFiles.AttachSocket(bundle.Options)), "attach socket under SOCKET_DIR/UUID");

        var start = await bundle.RuncAsync("start", bundle.Id);
        Assert.True(start.ExitCode == 0, start.Errors);

        var exitCode = await ExitFile.WaitForExitAsync(bundle.Options.ExitDirectory, bundle.Id, Bound);
        Assert.Equal(3, exitCode);
        Assert.True(await TestBundle.WaitGoneAsync(started.ConmonPid!.Value), "conmon exits after the container");

        output.WriteLine(string.Join('\n', Directory.GetFileSystemEntries(bundle.Root, "*", SearchOption.AllDirectories).Where(p => !p.Contains("/rootfs/", StringComparison.Ordinal))));
        output.WriteLine(await File.ReadAllTextAsync(bundle.Options.LogPath));
        output.WriteLine("exit file: [" + await File.ReadAllTextAsync(MonitorFiles.ExitFile(bundle.Options.ExitDirectory, bundle.Id)) + "]");
        var entries = await CriLogParser.ReadFileAsync(bundle.Options.LogPath);
        Assert.Contains(entries, e => e is { Stream: CriLogStream.Stdout, Partial: false, Text: "out" });
        Assert.Contains(entries, e => e is { Stream: CriLogStream.Stderr, Partial: false, Text: "err" });
        Assert.Contains(entries, e => e is { Stream: CriLogStream.Stdout, Partial: true, Text: "partial" });
        Assert.All(entries, e => Assert.True(Math.Abs((DateTimeOffset.UtcNow - e.Time).TotalMinutes) < 5, e.ToString()));
    }

    [ConmonTheory]
    [MemberData(nameof(ConmonFactAttribute.Monitors), MemberType = typeof(ConmonFactAttribute))]
    public async Task Failing_create_throws_with_the_runtimes_message(string monitor)
    {
        await using var bundle = TestBundle.CreateFor(monitor, "/no-such-binary");
        var launcher = new ConmonLauncher();

        var error = await Assert.ThrowsAsync<MonitorStartException>(
            () => launcher.StartAsync(bundle.Options, Bound));

        output.WriteLine(error.Message);
        Assert.NotNull(error.RuntimeMessage);
        Assert.Contains("no-such-binary", error.RuntimeMessage, StringComparison.Ordinal);
        Assert.Contains("no-such-binary", error.Message, StringComparison.Ordinal);
        Assert.False(error.RuntimeMessage.EndsWith('\n'), "trailing newline trimmed");
        if (MonitorFiles.ReadPid(bundle.Options.ConmonPidFile) is { } conmonPid)
        {
            Assert.True(await TestBundle.WaitGoneAsync(conmonPid), "conmon is gone after a failed create");
        }
    }

    [ConmonTheory]
    [MemberData(nameof(ConmonFactAttribute.Monitors), MemberType = typeof(ConmonFactAttribute))]
    public async Task Reopen_log_starts_a_fresh_file_after_rotation(string monitor)
    {
        // The container writes one line, waits for the test's go file in its rootfs, writes another.
        await using var bundle = TestBundle.CreateFor(
            monitor,
            "/busybox", "sh", "-c", "echo before; while [ ! -e /go ]; do /busybox sleep 0.05; done; echo after");
        var launcher = new ConmonLauncher();
        await launcher.StartAsync(bundle.Options, Bound);
        var start = await bundle.RuncAsync("start", bundle.Id);
        Assert.True(start.ExitCode == 0, start.Errors);
        await WaitForAsync(async () => (await CriLogParser.ReadFileAsync(bundle.Options.LogPath)).Any(e => e.Text == "before"));

        var rotated = bundle.Options.LogPath + ".1";
        File.Move(bundle.Options.LogPath, rotated);
        await ControlFifo.ReopenLogAsync(MonitorFiles.ControlFifo(bundle.Options));
        await WaitForAsync(() => Task.FromResult(File.Exists(bundle.Options.LogPath)));
        await File.WriteAllTextAsync(Path.Combine(bundle.RootFs, "go"), "");

        Assert.Equal(0, await ExitFile.WaitForExitAsync(bundle.Options.ExitDirectory, bundle.Id, Bound));
        var fresh = await CriLogParser.ReadFileAsync(bundle.Options.LogPath);
        var old = await CriLogParser.ReadFileAsync(rotated);
        Assert.Contains(fresh, e => e.Text == "after");
        Assert.DoesNotContain(fresh, e => e.Text == "before");
        Assert.Contains(old, e => e.Text == "before");
    }

    [ConmonTheory]
    [MemberData(nameof(ConmonFactAttribute.Monitors), MemberType = typeof(ConmonFactAttribute))]
    public async Task Control_FIFO_without_a_monitor_fails_at_once(string monitor)
    {
        await using var bundle = TestBundle.CreateFor(monitor, "/busybox", "true");
        var launcher = new ConmonLauncher();
        var started = await launcher.StartAsync(bundle.Options, Bound);
        Assert.True((await bundle.RuncAsync("start", bundle.Id)).ExitCode == 0);
        Assert.Equal(0, await ExitFile.WaitForExitAsync(bundle.Options.ExitDirectory, bundle.Id, Bound));
        Assert.True(await TestBundle.WaitGoneAsync(started.ConmonPid!.Value));

        var fifo = MonitorFiles.ControlFifo(bundle.Options);
        output.WriteLine($"ctl after exit exists: {File.Exists(fifo)}");
        if (File.Exists(fifo))
        {
            await Assert.ThrowsAsync<IOException>(() => ControlFifo.ReopenLogAsync(fifo));
        }
        else
        {
            await Assert.ThrowsAsync<FileNotFoundException>(() => ControlFifo.ReopenLogAsync(fifo));
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < Bound, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
