using System.Text.Json.Serialization;

namespace CriO.Image.Oci;

/// <summary>An OCI content descriptor (image-spec descriptor.md).</summary>
public sealed class OciDescriptor
{
    [JsonPropertyName("mediaType")]
    public string MediaType { get; set; } = "";

    [JsonPropertyName("digest")]
    public string Digest { get; set; } = "";

    [JsonPropertyName("size")]
    public long Size { get; set; }

    [JsonPropertyName("platform")]
    public OciPlatform? Platform { get; set; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }
}
