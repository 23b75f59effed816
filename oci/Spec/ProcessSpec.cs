using System.Text.Json.Serialization;

namespace CriO.Oci.Spec;

/// <summary>The container process (config.md "Process").</summary>
public sealed class ProcessSpec
{
    [JsonPropertyName("terminal")]
    public bool Terminal { get; set; }

    [JsonPropertyName("consoleSize")]
    public ConsoleSize? ConsoleSize { get; set; }

    [JsonPropertyName("user")]
    public UserSpec User { get; set; } = new();

    [JsonPropertyName("args")]
    public List<string>? Args { get; set; }

    [JsonPropertyName("env")]
    public List<string>? Env { get; set; }

    [JsonPropertyName("cwd")]
    public string Cwd { get; set; } = "/";

    [JsonPropertyName("capabilities")]
    public LinuxCapabilities? Capabilities { get; set; }

    [JsonPropertyName("rlimits")]
    public List<PosixRlimit>? Rlimits { get; set; }

    [JsonPropertyName("noNewPrivileges")]
    public bool NoNewPrivileges { get; set; }

    [JsonPropertyName("apparmorProfile")]
    public string? ApparmorProfile { get; set; }

    [JsonPropertyName("oomScoreAdj")]
    public int? OomScoreAdj { get; set; }

    [JsonPropertyName("selinuxLabel")]
    public string? SelinuxLabel { get; set; }
}

/// <summary>Terminal size in characters (config.md "consoleSize").</summary>
public sealed class ConsoleSize
{
    [JsonPropertyName("height")]
    public uint Height { get; set; }

    [JsonPropertyName("width")]
    public uint Width { get; set; }
}

/// <summary>The user the process runs as (config.md "POSIX process user").</summary>
public sealed class UserSpec
{
    [JsonPropertyName("uid")]
    public uint Uid { get; set; }

    [JsonPropertyName("gid")]
    public uint Gid { get; set; }

    [JsonPropertyName("umask")]
    public uint? Umask { get; set; }

    [JsonPropertyName("additionalGids")]
    public List<uint>? AdditionalGids { get; set; }
}

/// <summary>Capability sets by name, such as <c>CAP_KILL</c> (config.md "Linux process").</summary>
public sealed class LinuxCapabilities
{
    [JsonPropertyName("bounding")]
    public List<string>? Bounding { get; set; }

    [JsonPropertyName("effective")]
    public List<string>? Effective { get; set; }

    [JsonPropertyName("inheritable")]
    public List<string>? Inheritable { get; set; }

    [JsonPropertyName("permitted")]
    public List<string>? Permitted { get; set; }

    [JsonPropertyName("ambient")]
    public List<string>? Ambient { get; set; }
}

/// <summary>One resource limit, such as <c>RLIMIT_NOFILE</c> (config.md "rlimits").</summary>
public sealed class PosixRlimit
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("hard")]
    public ulong Hard { get; set; }

    [JsonPropertyName("soft")]
    public ulong Soft { get; set; }
}
