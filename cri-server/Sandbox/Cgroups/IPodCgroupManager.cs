namespace CriO.Server.Sandbox.Cgroups;

/// <summary>
/// The cgroup driver: cgroupfs (folders written by us, v1 or v2) or systemd (units asked of
/// systemd). It must match the kubelet's cgroupDriver: both manage the same tree.
/// </summary>
public interface IPodCgroupManager
{
    string Name { get; }

    /// <summary>Makes sure the pod's cgroup under <paramref name="parent"/> exists; returns what was made.</summary>
    PodCgroup CreatePod(string parent, string podId);

    /// <summary>Puts a pod-level process (the pause process) into the pod's cgroup; returns the pod with what that made.</summary>
    PodCgroup AddProcess(PodCgroup pod, string podId, int pid);

    /// <summary>Removes what <see cref="CreatePod"/> and <see cref="AddProcess"/> made; gone already is fine.</summary>
    void Remove(IReadOnlyList<string> created);
}
