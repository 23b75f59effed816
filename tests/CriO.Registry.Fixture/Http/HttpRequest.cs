namespace CriO.Registry.Fixture.Http;

/// <summary>One parsed request head: method, path (percent-decoded), query parameters and headers.</summary>
internal sealed class HttpRequest
{
    private HttpRequest(string method, string path, IReadOnlyList<(string Name, string Value)> query, Dictionary<string, string> headers, bool close)
    {
        Method = method;
        Path = path;
        Query = query;
        Headers = headers;
        Close = close;
    }

    public string Method { get; }

    public string Path { get; }

    public IReadOnlyList<(string Name, string Value)> Query { get; }

    /// <summary>Headers by case-insensitive name; a repeated header keeps its values comma-joined.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The client asked to close the connection after this request (or spoke HTTP/1.0).</summary>
    public bool Close { get; }

    /// <summary>Set when the head could not be accepted: answered with this status, then the connection closes.</summary>
    public (int Status, string Message)? Error { get; private init; }

    public IEnumerable<string> QueryValues(string name) =>
        Query.Where(q => q.Name.Equals(name, StringComparison.Ordinal)).Select(q => q.Value);

    public static HttpRequest Failed(int status, string message) =>
        new("GET", "/", [], new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), close: true) { Error = (status, message) };

    public static HttpRequest Parse(string head)
    {
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return Failed(400, "malformed request line");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return Failed(400, "malformed header line");
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }

        var target = requestLine[1];
        var questionMark = target.IndexOf('?', StringComparison.Ordinal);
        var path = Uri.UnescapeDataString(questionMark < 0 ? target : target[..questionMark]);
        var query = new List<(string, string)>();
        if (questionMark >= 0)
        {
            foreach (var pair in target[(questionMark + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? pair : pair[..equals];
                var value = equals < 0 ? "" : pair[(equals + 1)..];
                query.Add((Decode(name), Decode(value)));
            }
        }

        var close = requestLine[2] == "HTTP/1.0"
            || (headers.TryGetValue("Connection", out var connection) && connection.Contains("close", StringComparison.OrdinalIgnoreCase));
        return new HttpRequest(requestLine[0], path, query, headers, close);
    }

    private static string Decode(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));
}
