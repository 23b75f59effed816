using System.Text.Json;
using System.Text.Json.Serialization;

namespace CriO.Storage.Metadata;

/// <summary>
/// One entry of overlay-containers/containers.json: containers/storage's Container, with its JSON
/// names and in its field order. "id", "image", "layer" and "created" are always written (an
/// empty image is written as ""); the rest are omitted when empty. See storage/FORMAT.md.
/// </summary>
public sealed class ContainerRecord
{
    internal static readonly string[] AlwaysWritten = ["id", "image", "layer", "created"];

    /// <summary>The container ID: 64 lowercase hex digits.</summary>
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    /// <summary>Names, unique among containers.</summary>
    [JsonPropertyName("names")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Names { get; set; }

    /// <summary>The ID of the image the container was made from ("" for none).</summary>
    [JsonPropertyName("image")]
    public string ImageId { get; set; } = "";

    /// <summary>The ID of the container's read-write layer.</summary>
    [JsonPropertyName("layer")]
    public string LayerId { get; set; } = "";

    /// <summary>Free text; podman and CRI-O store a JSON object of their own here.</summary>
    [JsonPropertyName("metadata")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Metadata { get; set; }

    /// <summary>Keys of the big data items in overlay-containers/ID/.</summary>
    [JsonPropertyName("big-data-names")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? BigDataNames { get; set; }

    /// <summary>Size of each big data item, by key.</summary>
    [JsonPropertyName("big-data-sizes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(GoMapConverter<long>))]
    public Dictionary<string, long>? BigDataSizes { get; set; }

    /// <summary>Digest of each big data item, by key.</summary>
    [JsonPropertyName("big-data-digests")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(GoMapConverter<string>))]
    public Dictionary<string, string>? BigDataDigests { get; set; }

    /// <summary>When the container was made; always written.</summary>
    [JsonPropertyName("created")]
    public GoTimestamp Created { get; set; }

    /// <summary>The UID map of the container's user namespace.</summary>
    [JsonPropertyName("uidmap")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<IdMapping>? UidMap { get; set; }

    /// <summary>The GID map of the container's user namespace.</summary>
    [JsonPropertyName("gidmap")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<IdMapping>? GidMap { get; set; }

    /// <summary>Flags, written with sorted keys: "MountLabel", "ProcessLabel", "MountOpts", "Volatile".</summary>
    [JsonPropertyName("flags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(GoMapConverter<JsonElement>))]
    public Dictionary<string, JsonElement>? Flags { get; set; }

    /// <summary>Fields this version does not know, kept so a rewrite does not drop them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownFields { get; set; }
}
