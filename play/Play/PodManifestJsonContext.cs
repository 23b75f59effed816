using System.Text.Json.Serialization;
using k8s.Models;

namespace CriO.Server.Play;

/// <summary>Source-generated binding of manifest JSON to the Pod model (the API's camelCase names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(V1Pod))]
internal sealed partial class PodManifestJsonContext : JsonSerializerContext;
