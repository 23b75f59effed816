using System.Text;
using System.Text.Json;
using CriO.Cni.Invocation;

namespace CriO.Cni;

public sealed partial class CniNetworkManager
{
    /// <summary>
    /// Asks a plugin which spec versions it supports (CNI_COMMAND=VERSION, stdin
    /// <c>{"cniVersion": ...}</c>). A plugin that answers without <c>supportedVersions</c> predates
    /// the field and speaks 0.1.0 and 0.2.0, as libcni assumes.
    /// </summary>
    /// <param name="pluginType">The plugin's type, i.e. its binary's name in the plugin folders.</param>
    /// <param name="cniVersion">The version the runtime speaks, sent on stdin.</param>
    /// <param name="cancellationToken">Cancels the run, killing the plugin.</param>
    /// <exception cref="CniPluginException">The plugin is missing, failed, or answered something else.</exception>
    public async Task<PluginVersionInfo> VersionAsync(string pluginType, string cniVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pluginType);
        ArgumentNullException.ThrowIfNull(cniVersion);
        var path = PluginLocator.Find(pluginType, Settings.PluginDirectories)
            ?? throw new CniPluginException(pluginType, PluginCommand.Version, 0, $"plugin not found in {string.Join(", ", Settings.PluginDirectories)}", "");
        var stdin = VersionRequest(cniVersion);
        var request = new PluginRequest(PluginCommand.Version, pluginType, path, "", "", "", "", stdin);
        var output = await _executor.RunAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("not a JSON object");
            }

            var version = root.TryGetProperty("cniVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            IReadOnlyList<string> supported = root.TryGetProperty("supportedVersions", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : ["0.1.0", "0.2.0"];
            return new PluginVersionInfo(version, supported);
        }
        catch (JsonException e)
        {
            throw new CniPluginException(pluginType, PluginCommand.Version, 0, $"invalid VERSION answer: {e.Message}", Encoding.UTF8.GetString(output.Span));
        }
    }

    private static byte[] VersionRequest(string cniVersion)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("cniVersion", cniVersion);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
