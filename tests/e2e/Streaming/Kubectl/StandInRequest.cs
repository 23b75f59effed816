using System.Text;

namespace CriO.E2E.Tests.Streaming.Kubectl;

/// <summary>An HTTP/1.1 request head as the stand-in reads it: method, path, query and headers in order.</summary>
internal sealed class StandInRequest
{
    private readonly List<(string Name, string Value)> _query = [];

    private StandInRequest(string method, string path)
    {
        Method = method;
        Path = path;
    }

    public string Method { get; }

    public string Path { get; }

    public List<(string Name, string Value)> Headers { get; } = [];

    /// <summary>The query as it came (for messages).</summary>
    public string QueryText { get; private set; } = "";

    public static StandInRequest Parse(byte[] head)
    {
        var lines = Encoding.ASCII.GetString(head).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3)
        {
            throw new IOException($"not an HTTP request line: {lines[0]}");
        }

        var target = parts[1];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var request = new StandInRequest(parts[0], question < 0 ? target : target[..question]);
        if (question >= 0)
        {
            request.QueryText = target[(question + 1)..];
            foreach (var pair in target[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
                request._query.Add((name, value));
            }
        }

        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            request.Headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        return request;
    }

    /// <summary>Every value of a query parameter, in order (exec's command is one per word).</summary>
    public IEnumerable<string> Query(string name) => _query.Where(q => q.Name == name).Select(q => q.Value);

    /// <summary>A header's values joined by ", "; empty when absent.</summary>
    public string Header(string name) =>
        string.Join(", ", Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value));
}
