using System.Diagnostics;
using CriO.Oci.Runtime;

namespace CriO.Oci.Tests.Runtime;

/// <summary>The client's process handling, against shell scripts that misbehave on demand.</summary>
public sealed class FakeRuntimeTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("crio-oci-fake-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task A_runtime_that_hangs_is_stopped_at_the_timeout()
    {
        var runtime = new OciRuntime(Script("sleep 30"), _dir.FullName, TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<OciRuntimeException>(() => runtime.StartAsync("x"));

        Assert.Contains("no answer within 0.5 s", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task The_callers_token_cancels_a_call()
    {
        var runtime = new OciRuntime(Script("sleep 30"), _dir.FullName, TimeSpan.FromSeconds(60));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runtime.StateAsync("x", cancel.Token));
    }

    [Fact]
    public async Task Create_returns_although_the_container_keeps_the_runtimes_stdio()
    {
        // As runc create does: a child that inherits stdout/stderr outlives the runtime.
        var runtime = new OciRuntime(Script("sleep 5 & exit 0"), _dir.FullName, TimeSpan.FromSeconds(4));
        var clock = Stopwatch.StartNew();

        await runtime.CreateAsync("x", _dir.FullName, Path.Combine(_dir.FullName, "pid"));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task Json_log_lines_and_plain_stderr_become_the_message()
    {
        var runtime = new OciRuntime(
            Script("""echo '{"level":"error","msg":"container_linux.go: bad thing","time":"x"}' >&2; echo plain words >&2; exit 3"""),
            _dir.FullName);
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "x"));

        var e = await Assert.ThrowsAsync<OciRuntimeException>(() => runtime.StartAsync("x"));

        Assert.Equal("fake start x failed (exit code 3): container_linux.go: bad thing; plain words", e.Message);
        Assert.Equal(3, e.ExitCode);
    }

    [Fact]
    public async Task A_missing_binary_is_an_OciRuntimeException()
    {
        var runtime = new OciRuntime(Path.Combine(_dir.FullName, "no-such-runtime"), _dir.FullName);

        var e = await Assert.ThrowsAsync<OciRuntimeException>(() => runtime.StateAsync("x"));

        Assert.Contains("cannot run", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("--force")]
    public async Task Ids_that_could_leave_the_root_or_read_as_options_are_refused(string id)
    {
        var runtime = new OciRuntime(Script("exit 0"), _dir.FullName);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => runtime.DeleteAsync(id));
    }

    [Fact]
    public void ParseLog_reads_runc_and_crun_json_lines()
    {
        var said = OciRuntime.ParseLog(
            """
            {"level":"error","msg":"container does not exist","time":"2026-01-01T00:00:00Z"}
            {"msg":"error opening file `/run/x/status`: No such file or directory","level":"error","time":"t"}

            """);

        Assert.Equal("container does not exist; error opening file `/run/x/status`: No such file or directory", said);
    }

    private string Script(string body)
    {
        var path = Path.Combine(_dir.FullName, "fake");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
