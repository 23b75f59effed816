using System.Text.Json.Serialization;

namespace CriO.Server.Containers.Spec;

/// <summary>Source-generated JSON (NativeAOT safe) for seccomp profiles and the state annotations.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(SeccompProfile))]
internal sealed partial class SpecJsonContext : JsonSerializerContext;

/// <summary>Compact JSON for annotation values, in CRI-O's field names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(ContainerSpecBuilder.MetadataRecord))]
[JsonSerializable(typeof(List<ContainerSpecBuilder.VolumeRecord>))]
internal sealed partial class AnnotationJsonContext : JsonSerializerContext;
