using System.Text.Json.Serialization;

namespace CriO.Oci.Runtime;

/// <summary>
/// A container's status as the OCI runtime reports it (runtime.md "Lifecycle"):
/// <code>
///   create ──▶ Creating ──▶ Created ──start──▶ Running ──process exits / kill──▶ Stopped ──delete──▶ (gone)
///                              │                 │  ▲
///                              │                 pause/resume
///                              │                 ▼  │
///                              │               Paused
///                              └──kill (process exits)──▶ Stopped
/// </code>
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<OciStatus>))]
public enum OciStatus
{
    [JsonStringEnumMemberName("creating")]
    Creating,

    [JsonStringEnumMemberName("created")]
    Created,

    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("paused")]
    Paused,

    [JsonStringEnumMemberName("stopped")]
    Stopped,
}
