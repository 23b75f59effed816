using System.Text.Json.Serialization;

namespace CriO.Image.Oci;

/// <summary>
/// An image manifest or an index, in one shape: both the OCI and the Docker v2.2 formats have
/// mediaType and schemaVersion, a manifest has config and layers, an index has manifests.
/// </summary>
public sealed class OciManifest
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; }

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; set; }

    [JsonPropertyName("config")]
    public OciDescriptor? Config { get; set; }

    [JsonPropertyName("layers")]
    public List<OciDescriptor>? Layers { get; set; }

    [JsonPropertyName("manifests")]
    public List<OciDescriptor>? Manifests { get; set; }

    public bool IsIndex => Manifests is not null;
}
