namespace CriO.E2E.Tests.Telemetry;

/// <summary>One GET /metrics of the daemon, parsed, with lookups by series.</summary>
internal sealed class MetricsScrape(IReadOnlyList<PrometheusSample> samples, string text)
{
    public IReadOnlyList<PrometheusSample> Samples => samples;

    /// <summary>The raw answer, for failure messages.</summary>
    public string Text => text;

    public static async Task<MetricsScrape> FetchAsync(HttpClient client, Uri endpoint)
    {
        using var response = await client.GetAsync(endpoint);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {endpoint}: {(int)response.StatusCode} {text}");
        return new MetricsScrape(PrometheusSample.ParseAll(text), text);
    }

    /// <summary>The sum over the series of <paramref name="name"/> whose labels include <paramref name="labels"/>; 0 if none.</summary>
    public double Value(string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    public bool Has(string name) => samples.Any(s => s.Name == name);
}
