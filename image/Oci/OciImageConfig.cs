using System.Text.Json.Serialization;

namespace CriO.Image.Oci;

/// <summary>The parts of an image config (image-spec config.md) the store and the runtime read.</summary>
public sealed class OciImageConfig
{
    /// <summary>Kept as text: the store records it with its original zone offset.</summary>
    [JsonPropertyName("created")]
    public string? Created { get; set; }

    [JsonPropertyName("architecture")]
    public string Architecture { get; set; } = "";

    [JsonPropertyName("os")]
    public string Os { get; set; } = "";

    [JsonPropertyName("variant")]
    public string? Variant { get; set; }

    [JsonPropertyName("config")]
    public OciContainerConfig? Config { get; set; }

    [JsonPropertyName("rootfs")]
    public OciRootFs? RootFs { get; set; }
}

/// <summary>How a container of the image runs by default.</summary>
public sealed class OciContainerConfig
{
    [JsonPropertyName("User")]
    public string? User { get; set; }

    [JsonPropertyName("Env")]
    public List<string>? Env { get; set; }

    [JsonPropertyName("Entrypoint")]
    public List<string>? Entrypoint { get; set; }

    [JsonPropertyName("Cmd")]
    public List<string>? Cmd { get; set; }

    [JsonPropertyName("WorkingDir")]
    public string? WorkingDir { get; set; }

    [JsonPropertyName("StopSignal")]
    public string? StopSignal { get; set; }

    [JsonPropertyName("Labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("Volumes")]
    public Dictionary<string, object?>? Volumes { get; set; }
}

/// <summary>The layers' DiffIDs, bottom first.</summary>
public sealed class OciRootFs
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("diff_ids")]
    public List<string> DiffIds { get; set; } = [];
}
