namespace CriO.Conmon.Client.Tests;

/// <summary>The CRI log format: <c>&lt;RFC3339Nano&gt; &lt;stdout|stderr&gt; &lt;P|F&gt; &lt;text&gt;</c>.</summary>
public sealed class CriLogParserTests
{
    [Fact]
    public void Full_line_with_nanoseconds_and_offset()
    {
        Assert.True(CriLogParser.TryParse("2026-11-29T15:05:30.664162491+00:00 stdout F out", out var entry));
        Assert.Equal(CriLogStream.Stdout, entry.Stream);
        Assert.False(entry.Partial);
        Assert.Equal("out", entry.Text);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 15, 5, 30, TimeSpan.Zero).AddTicks(6641624), entry.Time);
    }

    [Fact]
    public void Partial_stderr_line_keeps_inner_spaces()
    {
        Assert.True(CriLogParser.TryParse("2026-11-29T15:05:30.1Z stderr P a  b ", out var entry));
        Assert.Equal(CriLogStream.Stderr, entry.Stream);
        Assert.True(entry.Partial);
        Assert.Equal("a  b ", entry.Text);
    }

    [Fact]
    public void Empty_full_line_is_an_empty_text()
    {
        Assert.True(CriLogParser.TryParse("2026-11-29T15:05:30.000000001+02:00 stdout F ", out var entry));
        Assert.Equal("", entry.Text);
        Assert.Equal(TimeSpan.FromHours(2), entry.Time.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a log line")]
    [InlineData("2026-11-29T15:05:30Z stdin F x")]
    [InlineData("2026-11-29T15:05:30Z stdout X x")]
    [InlineData("yesterday stdout F x")]
    public void Malformed_lines_are_rejected(string line)
    {
        Assert.False(CriLogParser.TryParse(line, out _));
    }
}
