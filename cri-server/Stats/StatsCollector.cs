using CriO.Cri;
using CriO.Server.Config;
using CriO.Server.Containers;
using CriO.Server.Daemon;
using CriO.Server.Sandbox;
using CriO.Server.Sandbox.Cgroups;
using CriO.Storage.Store;
using Container = CriO.Server.Containers.Container;
using PodSandbox = CriO.Server.Sandbox.PodSandbox;

namespace CriO.Server.Stats;

/// <summary>
/// The numbers behind ContainerStats and PodSandboxStats: each container's cgroup (CPU,
/// memory, swap), its writable layer (bytes, inodes), and each pod's cgroup and network
/// namespace. CPU rates (nano-cores) come from the previous sample of the same object.
/// </summary>
public sealed class StatsCollector(DaemonState daemon, ContainerStorage storage, ContainerManager containers, SandboxStore pods, TimeProvider time)
{
    private readonly CgroupStatsReader _reader = new(CgroupMounts.Read(), time);
    private readonly CpuRateTracker _rates = new();

    public CriO.Cri.ContainerStats? Container(Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var now = time.GetUtcNow();
        var stats = new CriO.Cri.ContainerStats
        {
            Attributes = new ContainerAttributes
            {
                Id = container.Id,
                Metadata = container.Config.Metadata,
                Labels = { container.Config.Labels },
                Annotations = { container.Config.Annotations },
            },
        };
        if (pods.Find(container.Record.PodId) is { } pod && _reader.Read(ContainerCgroup(pod, container.Id)) is { } sample)
        {
            stats.Cpu = CriStats.Cpu(sample, _rates.UsageNanoCores(container.Id, sample));
            stats.Memory = CriStats.Memory(sample);
            stats.Swap = CriStats.Swap(sample);
        }
        else
        {
            _rates.Forget(container.Id);
        }

        var layer = storage.Containers.Find(container.Id)?.LayerId;
        if (layer is not null)
        {
            stats.WritableLayer = CriStats.Filesystem(storage.Directories.GraphRoot, Path.Combine(storage.Layers.Driver.LayerDirectory(layer), "diff"), now);
        }

        return stats;
    }

    public PodSandboxStats Pod(PodSandbox pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var now = time.GetUtcNow();
        var linux = new LinuxPodSandboxStats();
        if (_reader.Read(PodCgroup(pod)) is { } sample)
        {
            linux.Cpu = CriStats.Cpu(sample, _rates.UsageNanoCores("pod:" + pod.Id, sample));
            linux.Memory = CriStats.Memory(sample);
            linux.Process = CriStats.Process(sample);
        }

        if (pod.IsReady && pod.Record.NetNamespace.Length > 0)
        {
            linux.Network = CriStats.Network(NetworkCounters.Read(pod.Record.NetNamespace, now), now);
        }

        foreach (var container in containers.Store.All.Where(c => c.Record.PodId == pod.Id))
        {
            if (Container(containers.Refresh(container)) is { } stats)
            {
                linux.Containers.Add(stats);
            }
        }

        return new PodSandboxStats
        {
            Attributes = new PodSandboxAttributes
            {
                Id = pod.Id,
                Metadata = pod.Config.Metadata,
                Labels = { pod.Config.Labels },
                Annotations = { pod.Config.Annotations },
            },
            Linux = linux,
        };
    }

    /// <summary>Drops the rate history of a removed object.</summary>
    public void Forget(string id)
    {
        _rates.Forget(id);
        _rates.Forget("pod:" + id);
    }

    private bool Systemd => daemon.Config.Runtime.CgroupManager == CgroupManagers.Systemd;

    private string PodCgroup(PodSandbox pod) => Systemd ? SystemdManager.SlicePath(pod.Record.CgroupParent) : pod.Record.CgroupParent;

    private string ContainerCgroup(PodSandbox pod, string id) =>
        Systemd ? $"{SystemdManager.SlicePath(pod.Record.CgroupParent)}/crio-{id}.scope" : $"{pod.Record.CgroupParent.TrimEnd('/')}/crio-{id}";
}
