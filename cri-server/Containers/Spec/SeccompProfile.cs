using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using CriO.Oci.Spec;
using CriO.Server.Errors;

namespace CriO.Server.Containers.Spec;

/// <summary>
/// A seccomp profile file in the Docker / containers-common format: OCI's fields plus
/// <c>archMap</c> and per-rule <c>includes</c>/<c>excludes</c> by capability and architecture.
/// <see cref="ToOci"/> renders it for one container (its capabilities, this machine's
/// architecture), as CRI-O does. Plain OCI profiles (kubelet Localhost ones) read the same.
/// </summary>
public sealed class SeccompProfile
{
    [JsonPropertyName("defaultAction")]
    public string DefaultAction { get; set; } = "";

    [JsonPropertyName("defaultErrnoRet")]
    public uint? DefaultErrnoRet { get; set; }

    [JsonPropertyName("architectures")]
    public List<string>? Architectures { get; set; }

    [JsonPropertyName("archMap")]
    public List<SeccompArchMap>? ArchMap { get; set; }

    [JsonPropertyName("flags")]
    public List<string>? Flags { get; set; }

    [JsonPropertyName("syscalls")]
    public List<SeccompRule>? Syscalls { get; set; }

    /// <summary>Reads a profile; throws InvalidArgument naming <paramref name="field"/> when it is missing or malformed.</summary>
    public static SeccompProfile Load(string path, string field)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), SpecJsonContext.Default.SeccompProfile)
                ?? throw new InvalidArgumentException($"{field}: seccomp profile {path} is null");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidArgumentException($"{field}: cannot load seccomp profile {path}: {e.Message}", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, SpecJsonContext.Default.SeccompProfile);

    /// <summary>This machine's architecture in the profile's <c>includes.arches</c> names (Go's GOARCH).</summary>
    public static string NativeArch => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.X86 => "x86",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.RiscV64 => "riscv64",
        Architecture.LoongArch64 => "loong64",
        _ => RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
    };

    /// <summary>This machine's architecture as libseccomp names it.</summary>
    public static string NativeScmpArch => NativeArch switch
    {
        "amd64" => "SCMP_ARCH_X86_64",
        "arm64" => "SCMP_ARCH_AARCH64",
        "arm" => "SCMP_ARCH_ARM",
        "x86" => "SCMP_ARCH_X86",
        "s390x" => "SCMP_ARCH_S390X",
        "ppc64le" => "SCMP_ARCH_PPC64LE",
        "riscv64" => "SCMP_ARCH_RISCV64",
        "loong64" => "SCMP_ARCH_LOONGARCH64",
        var other => "SCMP_ARCH_" + other.ToUpperInvariant(),
    };

    /// <summary>
    /// The OCI filter for a container with bounding set <paramref name="capabilities"/> on
    /// <paramref name="arch"/>: a rule applies when it has every capability and architecture
    /// it includes and none it excludes.
    /// </summary>
    public LinuxSeccomp ToOci(IReadOnlyCollection<string> capabilities, string? arch = null, string? scmpArch = null)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        arch ??= NativeArch;
        scmpArch ??= NativeScmpArch;
        var architectures = Architectures is { Count: > 0 }
            ? [.. Architectures]
            : ArchMap?.FirstOrDefault(a => a.Architecture == scmpArch) is { } map
                ? [map.Architecture, .. map.SubArchitectures ?? []]
                : new List<string>();
        var syscalls = new List<LinuxSyscall>();
        foreach (var rule in Syscalls ?? [])
        {
            if (rule.Includes is { } inc
                && ((inc.Arches is { Count: > 0 } ia && !ia.Contains(arch)) || (inc.Caps is { Count: > 0 } ic && !ic.All(capabilities.Contains))))
            {
                continue;
            }

            if (rule.Excludes is { } exc
                && ((exc.Arches is { Count: > 0 } ea && ea.Contains(arch)) || (exc.Caps is { Count: > 0 } ec && ec.Any(capabilities.Contains))))
            {
                continue;
            }

            List<string> names = rule.Names is { Count: > 0 } ? [.. rule.Names] : rule.Name is { Length: > 0 } n ? [n] : [];
            if (names.Count == 0)
            {
                continue;
            }

            syscalls.Add(new LinuxSyscall
            {
                Names = names,
                Action = rule.Action,
                ErrnoRet = rule.ErrnoRet,
                Args = rule.Args is { Count: > 0 } ? [.. rule.Args.Select(a => new LinuxSeccompArg { Index = a.Index, Value = a.Value, ValueTwo = a.ValueTwo, Op = a.Op })] : null,
            });
        }

        return new LinuxSeccomp
        {
            DefaultAction = DefaultAction,
            DefaultErrnoRet = DefaultErrnoRet,
            Architectures = architectures,
            Flags = Flags is { Count: > 0 } ? [.. Flags] : null,
            Syscalls = syscalls,
        };
    }
}

/// <summary>A native architecture and the ones it also runs (x86_64 runs x86 and x32 code).</summary>
public sealed class SeccompArchMap
{
    [JsonPropertyName("architecture")]
    public string Architecture { get; set; } = "";

    [JsonPropertyName("subArchitectures")]
    public List<string>? SubArchitectures { get; set; }
}

/// <summary>One rule: an action for some syscalls, optionally by argument, capability and architecture.</summary>
public sealed class SeccompRule
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("names")]
    public List<string>? Names { get; set; }

    [JsonPropertyName("action")]
    public string Action { get; set; } = "";

    [JsonPropertyName("errnoRet")]
    public uint? ErrnoRet { get; set; }

    [JsonPropertyName("args")]
    public List<SeccompArg>? Args { get; set; }

    [JsonPropertyName("comment")]
    public string? Comment { get; set; }

    [JsonPropertyName("includes")]
    public SeccompFilter? Includes { get; set; }

    [JsonPropertyName("excludes")]
    public SeccompFilter? Excludes { get; set; }
}

/// <summary>An argument comparison, as in the OCI spec.</summary>
public sealed class SeccompArg
{
    [JsonPropertyName("index")]
    public uint Index { get; set; }

    [JsonPropertyName("value")]
    public ulong Value { get; set; }

    [JsonPropertyName("valueTwo")]
    public ulong? ValueTwo { get; set; }

    [JsonPropertyName("op")]
    public string Op { get; set; } = "";
}

/// <summary>When a rule applies: capabilities the container must all have, architectures (GOARCH names).</summary>
public sealed class SeccompFilter
{
    [JsonPropertyName("caps")]
    public List<string>? Caps { get; set; }

    [JsonPropertyName("arches")]
    public List<string>? Arches { get; set; }

    /// <summary>Read, not evaluated: every kernel CriO supports is new enough for the built-in profile.</summary>
    [JsonPropertyName("minKernel")]
    public string? MinKernel { get; set; }
}
