using System.Text.Json.Serialization;

namespace CriO.Conmon.Client;

/// <summary>Source-generated JSON for the sync pipe (trim and NativeAOT safe).</summary>
[JsonSerializable(typeof(SyncMessage))]
internal sealed partial class ConmonJsonContext : JsonSerializerContext;
