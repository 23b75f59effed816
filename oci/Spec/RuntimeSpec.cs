using System.Text.Json.Serialization;

namespace CriO.Oci.Spec;

/// <summary>
/// The bundle's <c>config.json</c>, as the OCI runtime-spec (config.md, config-linux.md) names
/// it. Optional fields are null when absent and are left out of the JSON; empty collections are
/// left out too (see <see cref="OciJson"/>). Only the Linux platform is modelled.
/// </summary>
public sealed class RuntimeSpec
{
    /// <summary>
    /// The spec version we write, the newest Debian 12's runtimes accept: crun 1.8.1 (spec 1.0.0)
    /// refuses a newer one ("unknown version specified", e.g. for 1.2.0), and runc 1.1.5 knows
    /// spec 1.0.2-dev. Every field we model exists in 1.0.2.
    /// </summary>
    public const string SupportedVersion = "1.0.2";

    [JsonPropertyName("ociVersion")]
    public string OciVersion { get; set; } = SupportedVersion;

    [JsonPropertyName("process")]
    public ProcessSpec? Process { get; set; }

    [JsonPropertyName("root")]
    public RootSpec? Root { get; set; }

    [JsonPropertyName("hostname")]
    public string? Hostname { get; set; }

    [JsonPropertyName("mounts")]
    public List<MountSpec>? Mounts { get; set; }

    [JsonPropertyName("hooks")]
    public Hooks? Hooks { get; set; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }

    [JsonPropertyName("linux")]
    public LinuxSpec? Linux { get; set; }
}

/// <summary>The container's root filesystem (config.md "Root").</summary>
public sealed class RootSpec
{
    /// <summary>Absolute, or relative to the bundle.</summary>
    [JsonPropertyName("path")]
    public string Path { get; set; } = "rootfs";

    [JsonPropertyName("readonly")]
    public bool Readonly { get; set; }
}

/// <summary>One mount, in the order the runtime makes them (config.md "Mounts").</summary>
public sealed class MountSpec
{
    [JsonPropertyName("destination")]
    public string Destination { get; set; } = "";

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }

    [JsonPropertyName("options")]
    public List<string>? Options { get; set; }
}
