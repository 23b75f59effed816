using System.Text.Json.Serialization;

namespace CriO.Server.Sandbox;

/// <summary>
/// What is kept on disk of a pod (userdata/sandbox.json in its storage container's graph-root
/// folder), enough for a restarted daemon to answer every call and to undo what the pod holds.
/// The kubelet's config is kept whole, as protobuf bytes, so nothing it sent is lost.
/// </summary>
public sealed record PodSandboxRecord
{
    public const string Ready = "ready";
    public const string NotReady = "notready";

    /// <summary>RunPodSandbox is under way, or was cut off: a restarted daemon undoes what the record names.</summary>
    public const string Creating = "creating";

    public required string Id { get; init; }

    /// <summary>The reserved name: k8s_NAME_NAMESPACE_UID_ATTEMPT, as CRI-O names pods.</summary>
    public required string Name { get; init; }

    /// <summary>The CRI PodSandboxConfig, protobuf-encoded, base64.</summary>
    public required string Config { get; init; }

    public required string RuntimeHandler { get; init; }

    public required long CreatedAt { get; init; }

    public string State { get; init; } = Ready;

    public string Hostname { get; init; } = "";

    /// <summary>Pinned namespace files; empty where the pod shares the host's.</summary>
    public string NetNamespace { get; init; } = "";

    public string IpcNamespace { get; init; } = "";

    public string UtsNamespace { get; init; } = "";

    /// <summary>The pause process of a pod-level PID namespace, 0 when there is none.</summary>
    public int PausePid { get; init; }

    /// <summary>The pause process's start time (clock ticks since boot), so a reused PID is never signalled.</summary>
    public ulong PauseStartTime { get; init; }

    public IReadOnlyList<string> Ips { get; init; } = [];

    public string NetworkName { get; init; } = "";

    /// <summary>CNI ADD succeeded and no DEL has yet: Stop and Remove must run DEL (the IP is still allocated).</summary>
    public bool NetworkAttached { get; init; }

    /// <summary>The pod's folder under the run root: resolv.conf, hostname, hosts, shm.</summary>
    public string RunDirectory { get; init; } = "";

    /// <summary>/dev/shm of the pod's containers: a tmpfs we mounted, or the host's for host IPC.</summary>
    public string ShmPath { get; init; } = "";

    public string CgroupParent { get; init; } = "";

    /// <summary>Cgroup folders CriO made for the pod (deepest last), removed with it; what the kubelet made stays.</summary>
    public IReadOnlyList<string> CreatedCgroups { get; init; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PodSandboxRecord))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;
