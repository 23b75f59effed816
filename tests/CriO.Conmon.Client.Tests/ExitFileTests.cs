namespace CriO.Conmon.Client.Tests;

/// <summary>The exit file EXIT_DIR/ID: absent while running, the decimal exit code after.</summary>
public sealed class ExitFileTests : IDisposable
{
    private readonly string _exits = Directory.CreateTempSubdirectory("crio-exits-").FullName;

    public void Dispose() => Directory.Delete(_exits, recursive: true);

    [Fact]
    public void No_file_means_still_running()
    {
        Assert.Null(ExitFile.ReadExitCode(_exits, "abc"));
        Assert.Null(ExitFile.ReadExitCode(Path.Combine(_exits, "missing"), "abc"));
    }

    [Fact]
    public void Empty_file_is_not_an_exit_yet()
    {
        File.WriteAllText(Path.Combine(_exits, "abc"), "");
        Assert.Null(ExitFile.ReadExitCode(_exits, "abc"));
    }

    [Fact]
    public async Task Wait_returns_the_code_once_the_file_appears()
    {
        var wait = ExitFile.WaitForExitAsync(_exits, "abc", TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        File.WriteAllText(Path.Combine(_exits, "abc"), "137");
        Assert.Equal(137, await wait);
    }

    [Fact]
    public async Task Wait_is_bounded()
    {
        await Assert.ThrowsAsync<TimeoutException>(() => ExitFile.WaitForExitAsync(_exits, "abc", TimeSpan.FromMilliseconds(200)));
    }
}
