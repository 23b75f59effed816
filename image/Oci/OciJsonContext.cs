using System.Text.Json.Serialization;

namespace CriO.Image.Oci;

/// <summary>Source-generated JSON metadata for the OCI documents (crio is published NativeAOT).</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(OciImageConfig))]
public sealed partial class OciJsonContext : JsonSerializerContext;
