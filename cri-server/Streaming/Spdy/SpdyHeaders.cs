namespace CriO.Server.Streaming.Spdy;

/// <summary>The headers of a SPDY stream, by lowercase name, each with its values in order.</summary>
internal sealed class SpdyHeaders
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var values))
        {
            _values[name] = values = [];
        }

        values.Add(value);
    }

    /// <summary>The first value of <paramref name="name"/> (any case), or null.</summary>
    public string? Get(string name) =>
        _values.TryGetValue(name.ToLowerInvariant(), out var values) && values.Count > 0 ? values[0] : null;

    public IReadOnlyCollection<string> Names => _values.Keys;
}
