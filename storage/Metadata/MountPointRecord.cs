using System.Text.Json;
using System.Text.Json.Serialization;

namespace CriO.Storage.Metadata;

/// <summary>
/// One entry of the runroot's overlay-layers/mountpoints.json: a mounted layer, where, and how
/// many mounts are outstanding. Only layers with a count above zero are listed; all three
/// fields are always written.
/// </summary>
public sealed class MountPointRecord
{
    internal static readonly string[] AlwaysWritten = ["id", "path", "count"];

    /// <summary>The layer ID.</summary>
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    /// <summary>The mount point (for overlay, graphroot/overlay/ID/merged).</summary>
    [JsonPropertyName("path")]
    public string Path { get; set; } = "";

    /// <summary>How many Mount calls have no Unmount yet.</summary>
    [JsonPropertyName("count")]
    public int Count { get; set; }

    /// <summary>Fields this version does not know, kept so a rewrite does not drop them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownFields { get; set; }
}
