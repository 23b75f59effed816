using System.Diagnostics;

namespace CriO.Conmon.Client.Tests;

/// <summary>
/// Fault injection with fake monitors (shell scripts): one that hangs, one that dies at once,
/// one that answers on the sync pipe. No root needed.
/// </summary>
public sealed class FakeConmonTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("crio-fake-conmon-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Monitor_that_hangs_is_killed_at_the_bound()
    {
        var pidFile = Path.Combine(_root, "fake.pid");
        var options = Options(Script("echo $$ > " + pidFile + "; exec sleep 60"));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<MonitorStartException>(
            () => new ConmonLauncher().StartAsync(options, TimeSpan.FromMilliseconds(500)));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Contains("did not report", error.Message, StringComparison.Ordinal);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}"), "the hanging monitor was killed and reaped");
    }

    [Fact]
    public async Task Monitor_that_dies_before_answering_is_an_error()
    {
        var options = Options(Script("exit 1"));

        var error = await Assert.ThrowsAsync<MonitorStartException>(
            () => new ConmonLauncher().StartAsync(options, TimeSpan.FromSeconds(10)));

        Assert.Contains("exited before reporting the container pid (its first process exited with 1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipes_arrive_on_fds_3_and_4_as_the_environment_says()
    {
        // Waits for the start byte on fd 4, writes its own pid file, answers on fd 3 from a child.
        var conmonPid = Path.Combine(_root, "conmon.pid");
        var options = Options(Script(
            "[ \"$_OCI_SYNCPIPE\" = 3 ] && [ \"$_OCI_STARTPIPE\" = 4 ] || exit 9\n" +
            "head -c 1 <&4 >/dev/null\n" +
            "echo 4321 > " + conmonPid + "\n" +
            "( echo '{\"pid\": 1234}' >&3 ) &\n" +
            "exit 0"));
        options = options with { ConmonPidFile = conmonPid };

        var started = await new ConmonLauncher().StartAsync(options, TimeSpan.FromSeconds(10));

        Assert.Equal(new MonitorStarted(1234, 4321), started);
    }

    private string Script(string body)
    {
        var path = Path.Combine(_root, "fake-conmon-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    private MonitorOptions Options(string conmon) => new()
    {
        ConmonPath = conmon,
        RuntimePath = "/bin/false",
        ContainerId = "fake",
        Name = "fake",
        BundlePath = _root,
        ConmonPidFile = Path.Combine(_root, "no-such-conmon.pid"),
        LogPath = Path.Combine(_root, "log"),
        ExitDirectory = Path.Combine(_root, "exits"),
        SocketDirectory = Path.Combine(_root, "sockets"),
    };
}
