using CriO.Server.Sandbox.Cgroups;

namespace CriO.Server.Tests.Sandbox;

/// <summary>
/// The cgroupfs driver on a unified (v2) tree, played on a plain folder: what it makes, which
/// controllers it hands down, where the pause process goes, and that Remove takes only its own.
/// (The v1 path runs for real in the e2e suite on this machine's v1 hierarchies.)
/// </summary>
public sealed class CgroupfsManagerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("crio-cgroup2-").FullName;

    [Fact]
    public void On_v2_the_pod_path_is_made_with_controllers_enabled_down_to_it_and_removed_without_what_was_there()
    {
        File.WriteAllText(Path.Combine(_root, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        File.WriteAllText(Path.Combine(_root, "cgroup.subtree_control"), "memory\n");
        Directory.CreateDirectory(Path.Combine(_root, "kubepods"));
        var manager = new CgroupfsManager(new CgroupMounts(true, _root, []));

        var pod = manager.CreatePod("/kubepods/podabc", "0123");
        Assert.Equal("+cpu +cpuset +io +pids +hugetlb", File.ReadAllText(Path.Combine(_root, "cgroup.subtree_control")));

        // What the kernel shows once they are on: names without '+'; nothing left to enable.
        File.WriteAllText(Path.Combine(_root, "cgroup.subtree_control"), "cpuset cpu io memory hugetlb pids\n");
        pod = manager.AddProcess(pod, "0123", 4242);

        Assert.Equal("/kubepods/podabc", pod.Parent);
        Assert.Equal([Path.Combine(_root, "kubepods", "podabc"), Path.Combine(_root, "kubepods", "podabc", "crio-0123")], pod.Created);
        Assert.Equal("cpuset cpu io memory hugetlb pids\n", File.ReadAllText(Path.Combine(_root, "cgroup.subtree_control")));
        Assert.Equal("4242", File.ReadAllText(Path.Combine(_root, "kubepods", "podabc", "crio-0123", "cgroup.procs")));
        Assert.Equal([Path.Combine(_root, "kubepods", "podabc", "crio-0123")], pod.ProcessCgroups);

        // Plain folders hold the files written above; a real cgroup folder holds only kernel files.
        File.Delete(Path.Combine(_root, "kubepods", "podabc", "crio-0123", "cgroup.procs"));
        manager.Remove(pod.Created);

        Assert.False(Directory.Exists(Path.Combine(_root, "kubepods", "podabc")));
        Assert.True(Directory.Exists(Path.Combine(_root, "kubepods")));
    }

    [Fact]
    public void An_empty_parent_puts_pods_under_crio()
    {
        var manager = new CgroupfsManager(new CgroupMounts(true, _root, []));

        var pod = manager.CreatePod("", "0123");

        Assert.Equal(CgroupfsManager.DefaultParent, pod.Parent);
        Assert.True(Directory.Exists(Path.Combine(_root, "crio")));

        // A second pod joins /crio; the first one's removal leaves it to the last one out.
        var second = manager.AddProcess(manager.CreatePod("", "4567"), "4567", 1);
        File.Delete(Path.Combine(_root, "crio", "crio-4567", "cgroup.procs"));
        manager.Remove(pod.Created);
        Assert.True(Directory.Exists(Path.Combine(_root, "crio", "crio-4567")));
        manager.Remove(second.Created);
        Assert.True(Directory.Exists(Path.Combine(_root, "crio")));
    }

    [Fact]
    public void A_monitor_goes_into_crio_conmon_ID_under_its_pod_and_nowhere_else()
    {
        var manager = new CgroupfsManager(new CgroupMounts(true, _root, []));
        var pod = manager.CreatePod("/kubepods/podabc", "0123");

        var created = manager.AddMonitor(pod.Parent, "c0ffee", 4343, "pod");

        var folder = Path.Combine(_root, "kubepods", "podabc", "crio-conmon-c0ffee");
        Assert.Equal([folder], created);
        Assert.Equal("4343", File.ReadAllText(Path.Combine(folder, "cgroup.procs")));
        Assert.Throws<ArgumentException>(() => manager.AddMonitor(pod.Parent, "c0ffee", 4343, "system.slice"));

        File.Delete(Path.Combine(folder, "cgroup.procs"));
        manager.Remove(created);
        Assert.False(Directory.Exists(folder));
        Assert.True(Directory.Exists(Path.Combine(_root, "kubepods", "podabc")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
