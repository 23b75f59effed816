using System.Globalization;
using System.Text;

namespace CriO.Pinns;

/// <summary>
/// What a successful run made, printed as one JSON line on stdout, with only the keys for what
/// was made: <c>{"net":"DIR/netns/NAME","ipc":"DIR/ipcns/NAME","uts":"DIR/utsns/NAME","pausePid":1234}</c>.
/// </summary>
internal sealed record PinResult(IReadOnlyList<(NamespaceKind Kind, string Path)> Pins, int? PausePid)
{
    public string ToJson()
    {
        var json = new StringBuilder("{");
        foreach (var (kind, path) in Pins)
        {
            Member(json, kind.Name).Append(Quote(path));
        }

        if (PausePid is { } pid)
        {
            Member(json, "pausePid").Append(pid.ToString(CultureInfo.InvariantCulture));
        }

        return json.Append('}').ToString();
    }

    private static StringBuilder Member(StringBuilder json, string name) =>
        json.Append(json.Length > 1 ? "," : "").Append(Quote(name)).Append(':');

    /// <summary>A JSON string (RFC 8259): quote, backslash and control characters escaped.</summary>
    private static string Quote(string value)
    {
        var quoted = new StringBuilder("\"", value.Length + 2);
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                < ' ' => quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }
}
