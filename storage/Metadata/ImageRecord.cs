using System.Text.Json;
using System.Text.Json.Serialization;

namespace CriO.Storage.Metadata;

/// <summary>
/// One entry of overlay-images/images.json: containers/storage's Image, with its JSON names and
/// in its field order. Every field but "id" and "created" is omitted when empty. The image's
/// digest list (Go's Image.Digests) is never written: it is <see cref="Digest"/> plus the
/// digests of the big data items whose key starts with "manifest". See storage/FORMAT.md.
/// </summary>
public sealed class ImageRecord
{
    /// <summary>Big data keys starting with this are manifests; their digests identify the image.</summary>
    public const string ManifestKeyPrefix = "manifest";

    internal static readonly string[] AlwaysWritten = ["id", "created"];

    /// <summary>The image ID: 64 hex digits, the config blob's digest for schema 2 and OCI images.</summary>
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    /// <summary>The manifest digest the image was stored under ("sha256:..."); defaults to the first manifest big data digest.</summary>
    [JsonPropertyName("digest")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Digest { get; set; }

    /// <summary>Names (references such as "docker.io/library/busybox:latest"), each unique among images.</summary>
    [JsonPropertyName("names")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Names { get; set; }

    /// <summary>Every name the image ever had, newest first, without repeats.</summary>
    [JsonPropertyName("names-history")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? NamesHistory { get; set; }

    /// <summary>The ID of the image's top layer.</summary>
    [JsonPropertyName("layer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TopLayer { get; set; }

    /// <summary>IDs of copies of the top layer made for other ID mappings.</summary>
    [JsonPropertyName("mapped-layers")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? MappedTopLayers { get; set; }

    /// <summary>Free text; containers/image stores a JSON object such as {"signatures-sizes":{...}} here.</summary>
    [JsonPropertyName("metadata")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Metadata { get; set; }

    /// <summary>Keys of the big data items in overlay-images/ID/, in the order they were added.</summary>
    [JsonPropertyName("big-data-names")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? BigDataNames { get; set; }

    /// <summary>Size of each big data item, by key (written with sorted keys).</summary>
    [JsonPropertyName("big-data-sizes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(GoMapConverter<long>))]
    public Dictionary<string, long>? BigDataSizes { get; set; }

    /// <summary>Digest of each big data item, by key (for manifests, the manifest digest).</summary>
    [JsonPropertyName("big-data-digests")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(GoMapConverter<string>))]
    public Dictionary<string, string>? BigDataDigests { get; set; }

    /// <summary>When the image was made (from its config when pulled); always written.</summary>
    [JsonPropertyName("created")]
    public GoTimestamp Created { get; set; }

    /// <summary>Arbitrary flags, written with sorted keys.</summary>
    [JsonPropertyName("flags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(GoMapConverter<JsonElement>))]
    public Dictionary<string, JsonElement>? Flags { get; set; }

    /// <summary>Fields this version does not know, kept so a rewrite does not drop them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownFields { get; set; }

    /// <summary>
    /// The digests that find this image, as containers/storage computes them at load: <see cref="Digest"/>
    /// first (if set), then each distinct digest of a big data item whose key starts with "manifest".
    /// </summary>
    public IReadOnlyList<string> ComputeDigests()
    {
        var digests = new List<string>();
        if (!string.IsNullOrEmpty(Digest))
        {
            digests.Add(Digest);
        }

        if (BigDataDigests is not null)
        {
            foreach (var key in BigDataDigests.Keys.Order(CodePointComparer.Instance))
            {
                var digest = BigDataDigests[key];
                if (key.StartsWith(ManifestKeyPrefix, StringComparison.Ordinal) && !digests.Contains(digest))
                {
                    digests.Add(digest);
                }
            }
        }

        return digests;
    }
}
