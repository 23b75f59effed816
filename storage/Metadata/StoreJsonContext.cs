using System.Text.Json;
using System.Text.Json.Serialization;

namespace CriO.Storage.Metadata;

/// <summary>
/// Source-generated JSON metadata for the store's files (no reflection: the storage library is
/// NativeAOT-compatible). Use it through <see cref="StoreJson.Options"/>, which adds Go's
/// omitempty rule and Go's string escaping; metadata mode only, so those always apply.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(List<LayerRecord>))]
[JsonSerializable(typeof(List<ImageRecord>))]
[JsonSerializable(typeof(List<ContainerRecord>))]
[JsonSerializable(typeof(List<MountPointRecord>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string))]
internal sealed partial class StoreJsonContext : JsonSerializerContext
{
}
