using System.Text.Json;
using System.Text.Json.Serialization;

namespace CriO.Storage.Metadata;

/// <summary>
/// One range of a user namespace ID map (containers/storage's idtools.IDMap): IDs
/// <see cref="ContainerId"/>.. inside map to <see cref="HostId"/>.. outside, <see cref="Size"/> of them.
/// All three are always written.
/// </summary>
public sealed class IdMapping
{
    [JsonPropertyName("container_id")]
    public long ContainerId { get; set; }

    [JsonPropertyName("host_id")]
    public long HostId { get; set; }

    [JsonPropertyName("size")]
    public long Size { get; set; }

    /// <summary>Fields this version does not know, kept so a rewrite does not drop them.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownFields { get; set; }
}
