using System.Text.Json.Serialization;

namespace CriO.Server.Containers;

/// <summary>
/// What is kept on disk of a container (userdata/container.json in its storage container's
/// graph-root folder): enough for a restarted daemon to answer every call. The kubelet's config
/// is kept whole, as protobuf bytes.
/// </summary>
public sealed record ContainerRecord
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Exited = "exited";

    /// <summary>CreateContainer is under way, or was cut off: a restarted daemon undoes what the record names.</summary>
    public const string Creating = "creating";

    public required string Id { get; init; }

    /// <summary>The reserved name: k8s_NAME_PODNAME_NAMESPACE_UID_ATTEMPT, as CRI-O names containers.</summary>
    public required string Name { get; init; }

    public required string PodId { get; init; }

    /// <summary>The CRI ContainerConfig, protobuf-encoded, base64.</summary>
    public required string Config { get; init; }

    public required string ImageId { get; init; }

    /// <summary>The image as the kubelet named it.</summary>
    public required string ImageName { get; init; }

    /// <summary>The image's digested reference (repo@sha256:...), or its ID when it has none.</summary>
    public required string ImageRef { get; init; }

    public required string RuntimeHandler { get; init; }

    public required string LogPath { get; init; }

    /// <summary>The OCI bundle: config.json, pid file, conmon's files (the run-root userdata folder).</summary>
    public required string Bundle { get; init; }

    public required long CreatedAt { get; init; }

    public string State { get; init; } = Created;

    public long StartedAt { get; init; }

    public long FinishedAt { get; init; }

    public int Pid { get; init; }

    public int ExitCode { get; init; }

    public string Reason { get; init; } = "";

    public string Message { get; init; } = "";

    /// <summary>Cgroups made for the container's monitor (monitor_cgroup), removed with the container.</summary>
    public IReadOnlyList<string> MonitorCgroups { get; init; } = [];

    /// <summary>The signal StopContainer sends first (the image's StopSignal, else SIGTERM).</summary>
    public int StopSignal { get; init; } = 15;
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ContainerRecord))]
internal sealed partial class ContainerJsonContext : JsonSerializerContext;
