using System.Buffers;
using System.Text.Json;

namespace CriO.Cni.Config;

/// <summary>
/// Builds the stdin of one plugin execution: the plugin's object from the list, with the list's
/// <c>name</c> and <c>cniVersion</c> injected (a plugin of a list does not carry them itself),
/// <c>runtimeConfig</c> holding the declared capabilities that have values, and <c>prevResult</c>
/// when chaining. Everything else in the object passes through unchanged.
/// </summary>
internal static class PluginConfigWriter
{
    /// <param name="network">The list the plugin belongs to.</param>
    /// <param name="plugin">The plugin.</param>
    /// <param name="capabilities">The runtime's capability values.</param>
    /// <param name="prevResult">The result to chain from, as JSON; null: none.</param>
    public static byte[] Build(NetworkDefinition network, PluginDefinition plugin, CapabilityArgs capabilities, ReadOnlyMemory<byte>? prevResult)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(capabilities);

        var runtimeConfig = capabilities.HasAnyFor(plugin.Capabilities);
        using var document = JsonDocument.Parse(plugin.Json);
        var buffer = new ArrayBufferWriter<byte>(plugin.Json.Length + 256 + (prevResult?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("cniVersion", network.CniVersion);
            writer.WriteString("name", network.Name);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var replaced = property.NameEquals("cniVersion")
                    || property.NameEquals("name")
                    || property.NameEquals("prevResult")
                    || (runtimeConfig && property.NameEquals("runtimeConfig"));
                if (!replaced)
                {
                    property.WriteTo(writer);
                }
            }

            if (runtimeConfig)
            {
                writer.WriteStartObject("runtimeConfig");
                capabilities.WriteFor(writer, plugin.Capabilities);
                writer.WriteEndObject();
            }

            if (prevResult is { } previous)
            {
                writer.WritePropertyName("prevResult");

                // A result is what some plugin printed: check it is JSON before passing it on.
                writer.WriteRawValue(previous.Span, skipInputValidation: false);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
