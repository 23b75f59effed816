namespace CriO.Pinns.Tests;

/// <summary>The command line is exact: anything else is exit code 2 before anything is done.</summary>
public sealed class UsageTests
{
    [Theory]
    [InlineData("--net", "--bogus")]
    [InlineData("--net", "--dir=/tmp")]
    [InlineData("--net", "stray")]
    [InlineData("--net", "--hostname")]
    [InlineData("--net", "--sysctl")]
    [InlineData("--net", "--pause")]
    [InlineData()]
    [InlineData("--net", "--hostname", "pod")]
    [InlineData("--remove", "--net")]
    [InlineData("--net", "--dir", "/tmp/other")]
    public async Task A_bad_command_line_exits_2_and_does_nothing(params string[] more)
    {
        using var folder = new PinsFolder();

        var run = await folder.PinAsync("pod", more);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("usage: crio-pinns", run.Errors, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
        Assert.Empty(folder.Entries());
    }

    [Theory]
    [InlineData("relative/dir", "pod")]
    [InlineData("/tmp", "a/b")]
    [InlineData("/tmp", "..")]
    [InlineData("/tmp", "")]
    public async Task A_relative_dir_or_a_file_that_is_not_one_name_exits_2(string directory, string file)
    {
        using var folder = new PinsFolder();

        var run = await folder.RunAsync("--dir", directory, "--file", file, "--net");

        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Fact]
    public async Task Missing_dir_or_file_exits_2()
    {
        using var folder = new PinsFolder();

        Assert.Equal(2, (await folder.RunAsync("--file", "pod", "--net")).ExitCode);
        Assert.Equal(2, (await folder.RunAsync("--dir", folder.Root, "--net")).ExitCode);
        Assert.Empty(folder.Entries());
    }
}
