namespace CriO.Server.Play;

/// <summary>Where crio play finds the daemon and puts what the pod needs on the host.</summary>
public sealed record PlaySettings
{
    /// <summary>The daemon's CRI socket.</summary>
    public required string Socket { get; init; }

    /// <summary>cgroup_parent of the pod: a path for the cgroupfs driver, a slice name for systemd.</summary>
    public required string CgroupParent { get; init; }

    /// <summary>Parent of the pods' log folders (the kubelet's /var/log/pods).</summary>
    public required string LogRoot { get; init; }

    /// <summary>Parent of the per-pod folders that hold emptyDir volumes.</summary>
    public required string StateRoot { get; init; }

    /// <summary>How long to wait for containers to finish (restartPolicy Never or OnFailure), or to start.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The pod's folder of emptyDir volumes.</summary>
    public string PodFolder(string podNamespace, string name, string uid) => Path.Combine(StateRoot, FolderName(podNamespace, name, uid));

    /// <summary>The pod's log folder, named as the kubelet names it.</summary>
    public string LogFolder(string podNamespace, string name, string uid) => Path.Combine(LogRoot, FolderName(podNamespace, name, uid));

    private static string FolderName(string podNamespace, string name, string uid) => $"{podNamespace}_{name}_{uid}";
}
