using System.Text.Json.Serialization;

namespace CriO.Oci.Spec;

/// <summary>The Linux platform section (config-linux.md).</summary>
public sealed class LinuxSpec
{
    [JsonPropertyName("namespaces")]
    public List<LinuxNamespace>? Namespaces { get; set; }

    [JsonPropertyName("uidMappings")]
    public List<LinuxIdMapping>? UidMappings { get; set; }

    [JsonPropertyName("gidMappings")]
    public List<LinuxIdMapping>? GidMappings { get; set; }

    [JsonPropertyName("devices")]
    public List<LinuxDevice>? Devices { get; set; }

    /// <summary>
    /// With the cgroupfs driver a path such as <c>/crio-abc</c> (relative to each hierarchy's
    /// root); with systemd <c>slice:prefix:name</c>.
    /// </summary>
    [JsonPropertyName("cgroupsPath")]
    public string? CgroupsPath { get; set; }

    [JsonPropertyName("resources")]
    public LinuxResources? Resources { get; set; }

    [JsonPropertyName("sysctl")]
    public Dictionary<string, string>? Sysctl { get; set; }

    [JsonPropertyName("seccomp")]
    public LinuxSeccomp? Seccomp { get; set; }

    /// <summary><c>private</c>, <c>shared</c>, <c>slave</c> or <c>unbindable</c>.</summary>
    [JsonPropertyName("rootfsPropagation")]
    public string? RootfsPropagation { get; set; }

    [JsonPropertyName("maskedPaths")]
    public List<string>? MaskedPaths { get; set; }

    [JsonPropertyName("readonlyPaths")]
    public List<string>? ReadonlyPaths { get; set; }

    [JsonPropertyName("mountLabel")]
    public string? MountLabel { get; set; }
}

/// <summary>
/// A namespace to create, or with <see cref="Path"/> to join. Types: <c>pid</c>, <c>network</c>,
/// <c>mount</c>, <c>ipc</c>, <c>uts</c>, <c>user</c>, <c>cgroup</c>.
/// </summary>
public sealed class LinuxNamespace
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    [JsonPropertyName("path")]
    public string? Path { get; set; }
}

/// <summary>A user-namespace id range (config-linux.md "User namespace mappings").</summary>
public sealed class LinuxIdMapping
{
    [JsonPropertyName("containerID")]
    public uint ContainerId { get; set; }

    [JsonPropertyName("hostID")]
    public uint HostId { get; set; }

    [JsonPropertyName("size")]
    public uint Size { get; set; }
}

/// <summary>A device node the runtime creates in the container (config-linux.md "Devices").</summary>
public sealed class LinuxDevice
{
    [JsonPropertyName("path")]
    public string Path { get; set; } = "";

    /// <summary><c>c</c>, <c>b</c>, <c>u</c> or <c>p</c>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; set; } = "c";

    [JsonPropertyName("major")]
    public long Major { get; set; }

    [JsonPropertyName("minor")]
    public long Minor { get; set; }

    [JsonPropertyName("fileMode")]
    public uint? FileMode { get; set; }

    [JsonPropertyName("uid")]
    public uint? Uid { get; set; }

    [JsonPropertyName("gid")]
    public uint? Gid { get; set; }
}
