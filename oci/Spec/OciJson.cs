using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CriO.Oci.Runtime;

namespace CriO.Oci.Spec;

/// <summary>
/// Reads and writes the runtime-spec JSON, source-generated (trim and NativeAOT safe). Null
/// fields are left out, and so are empty collections: runc and crun read an absent list the same
/// as an empty one, and leaving it out keeps the file as small as <c>runc spec</c> writes it.
/// </summary>
public static class OciJson
{
    private static readonly JsonSerializerOptions Options = new(OciJsonContext.Default.Options)
    {
        TypeInfoResolver = OciJsonContext.Default.WithAddedModifier(OmitEmptyCollections),
    };

    private static readonly JsonTypeInfo<RuntimeSpec> SpecInfo =
        (JsonTypeInfo<RuntimeSpec>)Options.GetTypeInfo(typeof(RuntimeSpec));

    private static readonly JsonTypeInfo<OciState> StateInfo =
        (JsonTypeInfo<OciState>)Options.GetTypeInfo(typeof(OciState));

    private static readonly JsonTypeInfo<ProcessSpec> ProcessInfo =
        (JsonTypeInfo<ProcessSpec>)Options.GetTypeInfo(typeof(ProcessSpec));

    private static readonly JsonTypeInfo<LinuxResources> ResourcesInfo =
        (JsonTypeInfo<LinuxResources>)Options.GetTypeInfo(typeof(LinuxResources));

    public static string Serialize(RuntimeSpec spec) => JsonSerializer.Serialize(spec, SpecInfo);

    /// <summary>Resources alone, as <c>runtime update --resources FILE</c> reads them.</summary>
    public static byte[] SerializeResources(LinuxResources resources) => JsonSerializer.SerializeToUtf8Bytes(resources, ResourcesInfo);

    /// <summary>A process alone, as <c>runtime exec --process FILE</c> reads it.</summary>
    public static byte[] SerializeProcess(ProcessSpec process) => JsonSerializer.SerializeToUtf8Bytes(process, ProcessInfo);

    public static byte[] SerializeToUtf8Bytes(RuntimeSpec spec) => JsonSerializer.SerializeToUtf8Bytes(spec, SpecInfo);

    public static RuntimeSpec Deserialize(string json) =>
        JsonSerializer.Deserialize(json, SpecInfo) ?? throw new JsonException("config.json is null");

    internal static OciState DeserializeState(string json) =>
        JsonSerializer.Deserialize(json, StateInfo) ?? throw new JsonException("state is null");

    /// <summary>
    /// Writes <c>config.json</c> into the bundle crash-safely: a temp file in the same folder,
    /// flushed to disk, then renamed over the old one.
    /// </summary>
    public static async Task WriteConfigAsync(string bundle, RuntimeSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var path = Path.Combine(bundle, "config.json");
        var temp = Path.Combine(bundle, $".config.json.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, spec, SpecInfo, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static void OmitEmptyCollections(JsonTypeInfo typeInfo)
    {
        foreach (var property in typeInfo.Properties)
        {
            if (typeof(ICollection).IsAssignableFrom(property.PropertyType))
            {
                // Replaces the null check of WhenWritingNull, so it checks null too.
                property.ShouldSerialize = static (_, value) => value is ICollection { Count: > 0 };
            }
        }
    }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(RuntimeSpec))]
[JsonSerializable(typeof(OciState))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
