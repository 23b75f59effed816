using System.Text.Json.Serialization;

namespace CriO.Image.Oci;

/// <summary>The platform an index entry is for (image-spec image-index.md).</summary>
public sealed class OciPlatform
{
    [JsonPropertyName("architecture")]
    public string Architecture { get; set; } = "";

    [JsonPropertyName("os")]
    public string Os { get; set; } = "";

    [JsonPropertyName("variant")]
    public string? Variant { get; set; }
}
