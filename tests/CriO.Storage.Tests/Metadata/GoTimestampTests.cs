using System.Globalization;
using CriO.Storage.Metadata;

namespace CriO.Storage.Tests.Metadata;

public sealed class GoTimestampTests
{
    [Theory]
    [InlineData("2026-11-23T18:35:27.692152094Z")]
    [InlineData("2024-03-01T12:00:00.5+02:00")]
    [InlineData("2024-03-01T12:00:00-05:30")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("2024-03-01T12:00:00.000000001Z")]
    public void Parse_KeepsTheTextExactly(string text) => Assert.Equal(text, GoTimestamp.Parse(text).Text);

    [Theory]
    [InlineData("2024-03-01 12:00:00Z")]
    [InlineData("2024-03-01T12:00:00")]
    [InlineData("2024-03-01T12:00:00.1234567890Z")]
    [InlineData("2024-13-01T12:00:00Z")]
    [InlineData("2024-03-01T12:00:00+25:00")]
    [InlineData("")]
    public void Parse_RejectsWhatGoRejects(string text) => Assert.Throws<FormatException>(() => GoTimestamp.Parse(text));

    [Theory]
    [InlineData("2025-06-07T08:09:10.1234567+00:00", "2025-06-07T08:09:10.1234567Z")]
    [InlineData("2025-06-07T08:09:10.5000000+00:00", "2025-06-07T08:09:10.5Z")]
    [InlineData("2025-06-07T08:09:10+00:00", "2025-06-07T08:09:10Z")]
    [InlineData("2025-06-07T08:09:10.25-07:00", "2025-06-07T08:09:10.25-07:00")]
    public void FromDateTimeOffset_FormatsAsGoRfc3339Nano(string value, string expected) =>
        Assert.Equal(expected, GoTimestamp.FromDateTimeOffset(DateTimeOffset.Parse(value, CultureInfo.InvariantCulture)).Text);

    [Fact]
    public void Value_TruncatesNanosecondsTo100ns()
    {
        var timestamp = GoTimestamp.Parse("2026-11-23T18:35:27.692152094Z");

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 18, 35, 27, TimeSpan.Zero).AddTicks(6921520), timestamp.Value);
    }

    [Fact]
    public void Default_IsGoZeroTime()
    {
        Assert.True(default(GoTimestamp).IsZero);
        Assert.Equal("0001-01-01T00:00:00Z", default(GoTimestamp).Text);
        Assert.Equal(default, GoTimestamp.Parse("0001-01-01T00:00:00Z"));
    }
}
