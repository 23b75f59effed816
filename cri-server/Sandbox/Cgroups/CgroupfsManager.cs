namespace CriO.Server.Sandbox.Cgroups;

/// <summary>
/// The cgroupfs driver: the pod's cgroup is the folder cgroup_parent names, made in every v1
/// hierarchy and a hybrid node's cgroup2 mount (or once in the unified one on v2) if the kubelet
/// has not made it already; a pause
/// process goes into a crio-ID child of it, as CRI-O's infra container does. Only folders made
/// here are recorded, so Remove never deletes the kubelet's.
/// </summary>
public sealed class CgroupfsManager(CgroupMounts mounts) : IPodCgroupManager
{
    // Where pods go when the kubelet gives no cgroup_parent (crictl, tests).
    public const string DefaultParent = "/crio";

    // Controllers a pod's children use on v2; each is enabled only where the parent offers it.
    private static readonly string[] V2Controllers = ["cpu", "cpuset", "io", "memory", "pids", "hugetlb"];

    public string Name => "cgroupfs";

    public PodCgroup CreatePod(string parent, string podId)
    {
        parent = Normalize(parent);
        var created = new List<string>();
        try
        {
            foreach (var root in Roots())
            {
                MakePath(root, parent, created);
            }
        }
        catch
        {
            Remove(created);
            throw;
        }

        return new PodCgroup(parent, created, []);
    }

    public IReadOnlyList<string> PlanPod(string parent, string podId) =>
        [.. Missing(Normalize(parent)).Concat(Missing($"{Normalize(parent).TrimEnd('/')}/crio-{podId}")).Distinct()];

    public IReadOnlyList<string> PlanMonitor(string podParent, string containerId, string monitorCgroup) =>
        Missing($"{Normalize(podParent).TrimEnd('/')}/crio-conmon-{containerId}");

    // The folders of path that do not exist yet in each hierarchy, parents first.
    private List<string> Missing(string path)
    {
        var missing = new List<string>();
        foreach (var root in Roots())
        {
            var current = root;
            foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                current = Path.Combine(current, part);
                if (!Directory.Exists(current))
                {
                    missing.Add(current);
                }
            }
        }

        return missing;
    }

    public PodCgroup AddProcess(PodCgroup pod, string podId, int pid)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var created = new List<string>(pod.Created);
        var joined = Join($"{pod.Parent.TrimEnd('/')}/crio-{podId}", pid, created);
        return pod with { Created = created, ProcessCgroups = joined };
    }

    public IReadOnlyList<string> AddMonitor(string podParent, string containerId, int pid, string monitorCgroup)
    {
        if (monitorCgroup is not ("" or "pod"))
        {
            throw new ArgumentException($"monitor cgroup \"{monitorCgroup}\": the cgroupfs driver puts monitors only in their pod (\"pod\")");
        }

        var created = new List<string>();
        try
        {
            Join($"{Normalize(podParent).TrimEnd('/')}/crio-conmon-{containerId}", pid, created);
        }
        catch
        {
            Remove(created);
            throw;
        }

        return created;
    }

    // Makes the leaf in every hierarchy and moves the process in; returns the leaf's folders.
    private List<string> Join(string leaf, int pid, List<string> created)
    {
        var joined = new List<string>();
        foreach (var root in Roots())
        {
            var folder = MakePath(root, leaf, created);
            File.WriteAllText(Path.Combine(folder, "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            joined.Add(folder);
        }

        return joined;
    }

    public void Remove(IReadOnlyList<string> created)
    {
        ArgumentNullException.ThrowIfNull(created);

        // Children were recorded after their parents: remove in reverse. rmdir of a cgroup
        // fails while a process is in it; the caller has stopped them.
        foreach (var folder in created.Reverse())
        {
            try
            {
                Directory.Delete(folder);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (IOException) when (Directory.EnumerateDirectories(folder).Any())
            {
                // A parent this pod made that another pod has come to use since (pods without a
                // cgroup_parent share /crio): the last one out removes it.
            }
        }
    }

    // On a hybrid node runc and crun make each container's cgroup in the cgroup2 mount too, under
    // the pod's path: the pod is made (and removed) there as well, and its processes join it.
    private IEnumerable<string> Roots() =>
        mounts.IsUnified ? [mounts.UnifiedRoot] : mounts.HybridRoot is { } hybrid ? [.. mounts.V1Roots, hybrid] : mounts.V1Roots;

    private static string Normalize(string parent) => parent.Length == 0 ? DefaultParent : "/" + parent.Trim('/');

    private string MakePath(string root, string path, List<string> created)
    {
        var current = root;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (mounts.IsUnified)
            {
                EnableControllers(current);
            }

            var next = Path.Combine(current, part);
            if (!Directory.Exists(next))
            {
                Directory.CreateDirectory(next);
                created.Add(next);
                if (Path.GetFileName(root).Contains("cpuset", StringComparison.Ordinal))
                {
                    InheritCpuset(current, next);
                }
            }

            current = next;
        }

        return current;
    }

    // A new v1 cpuset cgroup starts with no CPUs and no memory nodes and takes no process until
    // it has some: give it its parent's.
    private static void InheritCpuset(string parent, string child)
    {
        foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            var target = Path.Combine(child, file);
            if (File.Exists(target) && File.ReadAllText(target).Trim().Length == 0)
            {
                File.WriteAllText(target, File.ReadAllText(Path.Combine(parent, file)).Trim());
            }
        }
    }

    // On v2 a controller reaches a child only when every ancestor lists it in cgroup.subtree_control.
    private static void EnableControllers(string folder)
    {
        var available = Path.Combine(folder, "cgroup.controllers");
        if (!File.Exists(available))
        {
            return;
        }

        var offered = File.ReadAllText(available).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var enabled = File.ReadAllText(Path.Combine(folder, "cgroup.subtree_control")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var wanted = V2Controllers.Where(c => offered.Contains(c) && !enabled.Contains(c)).Select(c => "+" + c).ToList();
        if (wanted.Count > 0)
        {
            File.WriteAllText(Path.Combine(folder, "cgroup.subtree_control"), string.Join(' ', wanted));
        }
    }
}
