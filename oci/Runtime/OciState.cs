using System.Text.Json.Serialization;

namespace CriO.Oci.Runtime;

/// <summary>
/// What <c>runc state</c> / <c>crun state</c> print (runtime.md "State"). Fields the runtimes add
/// beyond the spec (<c>created</c>, <c>owner</c>, <c>rootfs</c>) are ignored.
/// </summary>
public sealed class OciState
{
    /// <summary>The runtime's own spec version, such as <c>1.0.2-dev</c> (runc) or <c>1.0.0</c> (crun).</summary>
    [JsonPropertyName("ociVersion")]
    public string OciVersion { get; set; } = "";

    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("status")]
    public OciStatus Status { get; set; }

    /// <summary>The container process on the host; zero once stopped.</summary>
    [JsonPropertyName("pid")]
    public int Pid { get; set; }

    [JsonPropertyName("bundle")]
    public string Bundle { get; set; } = "";

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }
}
