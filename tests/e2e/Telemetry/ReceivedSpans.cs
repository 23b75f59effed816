namespace CriO.E2E.Tests.Telemetry;

/// <summary>The spans a collector has received so far; exports arrive on other threads.</summary>
internal sealed class ReceivedSpans
{
    private readonly List<ReceivedSpan> _spans = [];

    public void Add(ReceivedSpan span)
    {
        lock (_spans)
        {
            _spans.Add(span);
        }
    }

    public IReadOnlyList<ReceivedSpan> Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    /// <summary>Polls until <paramref name="found"/> holds for the spans so far; fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> found, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = Snapshot();
            if (found(spans))
            {
                return spans;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what} within {timeout.TotalSeconds} s; received: {string.Join(", ", spans.Select(s => s.Name))}");
            await Task.Delay(200);
        }
    }
}
