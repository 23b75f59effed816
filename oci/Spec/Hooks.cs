using System.Text.Json.Serialization;

namespace CriO.Oci.Spec;

/// <summary>
/// Lifecycle hooks (config.md "POSIX-platform Hooks"). Carried through to the runtime as given;
/// CriO does not run hooks itself. <c>prestart</c> is deprecated in the spec but still honoured.
/// </summary>
public sealed class Hooks
{
    [JsonPropertyName("prestart")]
    public List<Hook>? Prestart { get; set; }

    [JsonPropertyName("createRuntime")]
    public List<Hook>? CreateRuntime { get; set; }

    [JsonPropertyName("createContainer")]
    public List<Hook>? CreateContainer { get; set; }

    [JsonPropertyName("startContainer")]
    public List<Hook>? StartContainer { get; set; }

    [JsonPropertyName("poststart")]
    public List<Hook>? Poststart { get; set; }

    [JsonPropertyName("poststop")]
    public List<Hook>? Poststop { get; set; }
}

/// <summary>One hook program.</summary>
public sealed class Hook
{
    [JsonPropertyName("path")]
    public string Path { get; set; } = "";

    [JsonPropertyName("args")]
    public List<string>? Args { get; set; }

    [JsonPropertyName("env")]
    public List<string>? Env { get; set; }

    /// <summary>Seconds; must be greater than zero when set.</summary>
    [JsonPropertyName("timeout")]
    public int? Timeout { get; set; }
}
