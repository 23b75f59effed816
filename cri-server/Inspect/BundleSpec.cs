using System.Text.Json;

namespace CriO.Server.Inspect;

/// <summary>What inspection reads back from a container's OCI bundle: its root path and annotations.</summary>
internal static class BundleSpec
{
    public static (string Root, IReadOnlyDictionary<string, string> Annotations) Read(string bundle)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(bundle, "config.json")));
            var spec = document.RootElement;
            var root = spec.TryGetProperty("root", out var rootObject) && rootObject.TryGetProperty("path", out var path) ? path.GetString() ?? "" : "";
            if (spec.TryGetProperty("annotations", out var map) && map.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in map.EnumerateObject())
                {
                    annotations[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() ?? "" : property.Value.GetRawText();
                }
            }

            return (root, annotations);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // A container being removed has no bundle any more: it is still inspectable.
            return ("", annotations);
        }
    }
}
