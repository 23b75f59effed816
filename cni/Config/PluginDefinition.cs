using System.Runtime.InteropServices;
using System.Text.Json;

namespace CriO.Cni.Config;

/// <summary>
/// One plugin of a list: its <c>type</c> (the binary), its JSON object as written in the file
/// (what it gets on stdin, plus what the runtime injects) and the capabilities it declares with
/// <c>"capabilities": {"portMappings": true}</c>, the only runtime values it is sent.
/// </summary>
internal sealed record PluginDefinition(string Type, byte[] Json, IReadOnlySet<string> Capabilities)
{
    public static PluginDefinition From(JsonElement plugin, string type)
    {
        var capabilities = new HashSet<string>(StringComparer.Ordinal);
        if (plugin.TryGetProperty("capabilities", out var declared) && declared.ValueKind == JsonValueKind.Object)
        {
            foreach (var capability in declared.EnumerateObject())
            {
                if (capability.Value.ValueKind == JsonValueKind.True)
                {
                    capabilities.Add(capability.Name);
                }
            }
        }

        return new PluginDefinition(type, JsonMarshal.GetRawUtf8Value(plugin).ToArray(), capabilities);
    }
}
