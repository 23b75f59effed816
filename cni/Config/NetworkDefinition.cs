using System.Text.Json;

namespace CriO.Cni.Config;

/// <summary>
/// A network configuration as plugins are invoked with it: the list's name and version, and each
/// plugin's own JSON object. A single-plugin .conf/.json is promoted to a list of one, as libcni
/// does; <see cref="ListBytes"/> is then the promoted list, which is what the result cache keeps
/// so a later DEL sees exactly the configuration its ADD ran with.
/// </summary>
internal sealed class NetworkDefinition
{
    private NetworkDefinition(string name, string cniVersion, bool disableCheck, byte[] listBytes, IReadOnlyList<PluginDefinition> plugins)
    {
        Name = name;
        CniVersion = cniVersion;
        DisableCheck = disableCheck;
        ListBytes = listBytes;
        Plugins = plugins;
    }

    public string Name { get; }

    /// <summary>The list's <c>cniVersion</c>; empty when the file has none.</summary>
    public string CniVersion { get; }

    /// <summary>The list's <c>disableCheck</c>: the operator turned CHECK off for this network.</summary>
    public bool DisableCheck { get; }

    /// <summary>The configuration as a list, in JSON.</summary>
    public byte[] ListBytes { get; }

    public IReadOnlyList<PluginDefinition> Plugins { get; }

    /// <summary>Parses a .conflist, or a .conf/.json holding one plugin.</summary>
    /// <exception cref="JsonException">Not JSON.</exception>
    /// <exception cref="InvalidDataException">JSON, but not a network configuration.</exception>
    public static NetworkDefinition Parse(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("not a JSON object");
        }

        var name = RequiredString(root, "name");
        var version = OptionalString(root, "cniVersion");
        if (!root.TryGetProperty("plugins", out var plugins))
        {
            var single = PluginDefinition.From(root, RequiredString(root, "type"));
            return new NetworkDefinition(name, version, false, Promote(name, version, root), [single]);
        }

        if (plugins.ValueKind != JsonValueKind.Array || plugins.GetArrayLength() == 0)
        {
            throw new InvalidDataException("\"plugins\" must be a non-empty array");
        }

        var list = plugins.EnumerateArray().Select(p => PluginDefinition.From(p, RequiredString(p, "type"))).ToList();
        var disableCheck = root.TryGetProperty("disableCheck", out var d) && d.ValueKind == JsonValueKind.True;
        return new NetworkDefinition(name, version, disableCheck, json, list);
    }

    /// <summary>The summary Status and readiness work with.</summary>
    public NetworkConfigList ToConfigList(string path) => new(Name, CniVersion, Plugins.Select(p => p.Type).ToList(), path);

    private static byte[] Promote(string name, string version, JsonElement plugin)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("cniVersion", version);
            writer.WriteString("name", name);
            writer.WriteStartArray("plugins");
            plugin.WriteTo(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static string RequiredString(JsonElement element, string property)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty(property, out var value)
            || value.ValueKind != JsonValueKind.String
            || string.IsNullOrEmpty(value.GetString()))
        {
            throw new InvalidDataException($"missing \"{property}\"");
        }

        return value.GetString()!;
    }
}
