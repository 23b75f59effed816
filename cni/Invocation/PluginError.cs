using System.Text;
using System.Text.Json;

namespace CriO.Cni.Invocation;

/// <summary>
/// Turns a failed plugin's output into a <see cref="CniPluginException"/>: the spec's error
/// object <c>{"code", "msg", "details"}</c> on stdout when there is one, else its stderr (or
/// whatever it printed), which is where a crashing or non-conforming plugin says why.
/// </summary>
internal static class PluginError
{
    /// <summary>Bound on the text carried into the message: the kubelet shows it in an event.</summary>
    private const int MaxTextChars = 4096;

    public static CniPluginException From(PluginRequest request, int exitCode, ReadOnlySpan<byte> stdout, ReadOnlySpan<byte> stderr)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TryParse(stdout, out var code, out var message, out var details))
        {
            return new CniPluginException(request.PluginType, request.Command, code, message, details, exitCode);
        }

        var text = Text(stderr);
        if (text.Length == 0)
        {
            text = Text(stdout);
        }

        return new CniPluginException(request.PluginType, request.Command, 0, text.Length > 0 ? text : "no output", "", exitCode);
    }

    private static bool TryParse(ReadOnlySpan<byte> stdout, out int code, out string message, out string details)
    {
        code = 0;
        message = "";
        details = "";
        try
        {
            var reader = new Utf8JsonReader(stdout);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var hasCode = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out code);
            message = Limit(String(root, "msg"));
            details = Limit(String(root, "details"));
            return hasCode || message.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static string Text(ReadOnlySpan<byte> bytes) => Limit(Encoding.UTF8.GetString(bytes).Trim());

    private static string Limit(string text) => text.Length <= MaxTextChars ? text : string.Concat(text.AsSpan(0, MaxTextChars), "…");
}
