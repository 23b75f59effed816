using System.Text.Json.Serialization;

namespace CriO.Oci.Spec;

/// <summary>The seccomp filter (config-linux.md "Seccomp").</summary>
public sealed class LinuxSeccomp
{
    /// <summary>Such as <c>SCMP_ACT_ERRNO</c> or <c>SCMP_ACT_ALLOW</c>.</summary>
    [JsonPropertyName("defaultAction")]
    public string DefaultAction { get; set; } = "";

    [JsonPropertyName("defaultErrnoRet")]
    public uint? DefaultErrnoRet { get; set; }

    /// <summary>Such as <c>SCMP_ARCH_X86_64</c>.</summary>
    [JsonPropertyName("architectures")]
    public List<string>? Architectures { get; set; }

    /// <summary>Such as <c>SECCOMP_FILTER_FLAG_LOG</c>.</summary>
    [JsonPropertyName("flags")]
    public List<string>? Flags { get; set; }

    [JsonPropertyName("syscalls")]
    public List<LinuxSyscall>? Syscalls { get; set; }
}

/// <summary>An action for a set of syscalls, optionally narrowed by arguments.</summary>
public sealed class LinuxSyscall
{
    [JsonPropertyName("names")]
    public List<string> Names { get; set; } = [];

    [JsonPropertyName("action")]
    public string Action { get; set; } = "";

    [JsonPropertyName("errnoRet")]
    public uint? ErrnoRet { get; set; }

    [JsonPropertyName("args")]
    public List<LinuxSeccompArg>? Args { get; set; }
}

/// <summary>A comparison on one syscall argument.</summary>
public sealed class LinuxSeccompArg
{
    [JsonPropertyName("index")]
    public uint Index { get; set; }

    [JsonPropertyName("value")]
    public ulong Value { get; set; }

    [JsonPropertyName("valueTwo")]
    public ulong? ValueTwo { get; set; }

    /// <summary>Such as <c>SCMP_CMP_EQ</c> or <c>SCMP_CMP_MASKED_EQ</c>.</summary>
    [JsonPropertyName("op")]
    public string Op { get; set; } = "";
}
