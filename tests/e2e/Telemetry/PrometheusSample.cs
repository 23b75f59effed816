using System.Globalization;
using System.Text.RegularExpressions;

namespace CriO.E2E.Tests.Telemetry;

/// <summary>One line of the Prometheus text format: a series (name and labels) and its value.</summary>
internal sealed partial record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>The samples of a scrape; comments (# HELP, # TYPE) and blank lines are skipped.</summary>
    public static IReadOnlyList<PrometheusSample> ParseAll(string text) =>
        [.. text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(Parse)];

    public static PrometheusSample Parse(string line)
    {
        var match = SampleLine().Match(line);
        Assert.True(match.Success, $"not a Prometheus sample line: {line}");
        var labels = LabelPair().Matches(match.Groups["labels"].Value)
            .ToDictionary(m => m.Groups["key"].Value, m => Regex.Unescape(m.Groups["value"].Value), StringComparer.Ordinal);
        return new PrometheusSample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    // name{labels} value [timestamp]
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \S+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex LabelPair();
}
