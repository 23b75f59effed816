using CriO.Server.Config;

namespace CriO.Server.Tests.Config;

public class GoDurationTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("30s", 30_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("300ms", 300)]
    [InlineData("2h45m", 9_900_000)]
    public void Parses_Go_durations(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("5 s")]
    [InlineData("1d")]
    [InlineData("1.2.3s")]
    public void Rejects_what_Go_rejects(string text) => Assert.False(GoDuration.TryParse(text, out _));
}
