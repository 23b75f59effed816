using System.Text.Json;
using System.Text.Json.Serialization;

namespace CriO.Storage.Metadata;

/// <summary>
/// One entry of overlay-layers/layers.json: containers/storage's Layer, with its JSON names and
/// in its field order. Every field but "id" and "created" is omitted when empty (Go omitempty:
/// null, "", 0, empty list or map). See storage/FORMAT.md.
/// </summary>
public sealed class LayerRecord
{
    /// <summary>The flag containers/storage sets while a layer is being written, and clears on success.</summary>
    public const string IncompleteFlag = "incomplete";

    /// <summary>Our flag on a layer that no image may own yet (see <see cref="IsPending"/>); other tools ignore unknown flags.</summary>
    public const string PendingFlag = "crio-pending";

    internal static readonly string[] AlwaysWritten = ["id", "created"];

    /// <summary>The layer ID: 64 lowercase hex digits (for a pulled layer, its chain ID).</summary>
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    /// <summary>Names, unique among layers (podman names a container's layer "NAME-layer").</summary>
    [JsonPropertyName("names")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? Names { get; set; }

    /// <summary>The ID of the layer below, if any.</summary>
    [JsonPropertyName("parent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Parent { get; set; }

    /// <summary>Free text for the store's user (containers/image leaves it empty).</summary>
    [JsonPropertyName("metadata")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Metadata { get; set; }

    /// <summary>The SELinux label to mount the layer with.</summary>
    [JsonPropertyName("mountlabel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MountLabel { get; set; }

    /// <summary>When the layer was made; always written (Go's zero time if unknown).</summary>
    [JsonPropertyName("created")]
    public GoTimestamp Created { get; set; }

    /// <summary>Digest of the blob as it was given ("sha256:..."), compressed or not.</summary>
    [JsonPropertyName("compressed-diff-digest")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CompressedDigest { get; set; }

    /// <summary>Size of the blob as it was given.</summary>
    [JsonPropertyName("compressed-size")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long CompressedSize { get; set; }

    /// <summary>Digest of the uncompressed tar: the DiffID.</summary>
    [JsonPropertyName("diff-digest")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UncompressedDigest { get; set; }

    /// <summary>Digest of a zstd:chunked/eStargz table of contents (newer containers/storage versions, not 1.43; kept if present).</summary>
    [JsonPropertyName("toc-digest")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TocDigest { get; set; }

    /// <summary>Size of the uncompressed tar.</summary>
    [JsonPropertyName("diff-size")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long UncompressedSize { get; set; }

    /// <summary>Compression of the blob as it was given.</summary>
    [JsonPropertyName("compression")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public CompressionType Compression { get; set; }

    /// <summary>Sorted UIDs that own files in the layer (set when a diff is applied).</summary>
    [JsonPropertyName("uidset")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<uint>? UidSet { get; set; }

    /// <summary>Sorted GIDs that own files in the layer.</summary>
    [JsonPropertyName("gidset")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<uint>? GidSet { get; set; }

    /// <summary>Arbitrary flags, written with sorted keys; see <see cref="IsIncomplete"/>.</summary>
    [JsonPropertyName("flags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(GoMapConverter<JsonElement>))]
    public Dictionary<string, JsonElement>? Flags { get; set; }

    /// <summary>The UID map the layer's files were written for.</summary>
    [JsonPropertyName("uidmap")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<IdMapping>? UidMap { get; set; }

    /// <summary>The GID map the layer's files were written for.</summary>
    [JsonPropertyName("gidmap")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<IdMapping>? GidMap { get; set; }

    /// <summary>Keys of big data items kept in overlay-layers/ID/.</summary>
    [JsonPropertyName("big-data-names")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? BigDataNames { get; set; }

    /// <summary>Fields this version does not know, kept so a rewrite does not drop them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownFields { get; set; }

    /// <summary>
    /// The "incomplete" flag: true while the layer is being created; a store that finds it set
    /// under its write lock deletes the layer (containers/storage does so at load).
    /// </summary>
    [JsonIgnore]
    public bool IsIncomplete
    {
        get => Flag(IncompleteFlag);
        set => SetFlag(IncompleteFlag, value);
    }

    /// <summary>
    /// A complete layer committed by a pull whose image is not written yet, or one an image
    /// removal is about to delete: if the process stops before the image is written (or the
    /// layer deleted), nothing owns it. The next open deletes such a layer when no image or
    /// container uses it, and clears the flag when one does.
    /// </summary>
    [JsonIgnore]
    public bool IsPending
    {
        get => Flag(PendingFlag);
        set
        {
            SetFlag(PendingFlag, value);
            Flags = Flags is { Count: 0 } ? null : Flags;
        }
    }

    private bool Flag(string name) => Flags is not null && Flags.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.True;

    private void SetFlag(string name, bool value)
    {
        if (value)
        {
            (Flags ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[name] = JsonValues.True;
        }
        else
        {
            Flags?.Remove(name);
        }
    }
}
