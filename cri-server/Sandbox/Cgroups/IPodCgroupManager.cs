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

    /// <summary>
    /// Puts a container's monitor (conmon, before it forks, so its children follow) into the
    /// cgroup <paramref name="monitorCgroup"/> names: <c>pod</c> (or empty) for a crio-conmon-ID
    /// cgroup under the pod's cgroup parent, as CRI-O does; with systemd also a slice name for a
    /// crio-conmon-ID.scope there. Returns what was made, for <see cref="Remove"/>.
    /// </summary>
    IReadOnlyList<string> AddMonitor(string podParent, string containerId, int pid, string monitorCgroup);

    /// <summary>
    /// What <see cref="CreatePod"/> and <see cref="AddProcess"/> would make now (folders that do
    /// not exist yet, or units), written to the pod's record before they run, so that a daemon
    /// killed between making and recording them leaves nothing that nobody knows of.
    /// </summary>
    IReadOnlyList<string> PlanPod(string parent, string podId);

    /// <summary>What <see cref="AddMonitor"/> would make now, recorded before it runs for the same reason.</summary>
    IReadOnlyList<string> PlanMonitor(string podParent, string containerId, string monitorCgroup);

    /// <summary>Removes what <see cref="CreatePod"/>, <see cref="AddProcess"/> and <see cref="AddMonitor"/> made; gone already is fine.</summary>
    void Remove(IReadOnlyList<string> created);
}
