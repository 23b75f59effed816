namespace CriO.Server.Sandbox.Cgroups;

/// <summary>
/// What a pod holds of the cgroup tree: the folders CriO made (to remove with the pod, deepest
/// last) and where the pod's own processes (the pause process) go.
/// </summary>
public sealed record PodCgroup(string Parent, IReadOnlyList<string> Created, IReadOnlyList<string> ProcessCgroups);
