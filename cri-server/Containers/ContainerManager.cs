using CriO.Conmon.Client;
using CriO.Cri;
using CriO.Oci.Runtime;
using CriO.Server.Config;
using CriO.Server.Daemon;
using CriO.Server.Errors;
using CriO.Server.Images;
using CriO.Server.Runtime;
using CriO.Server.Sandbox;
using CriO.Storage.Store;
using Microsoft.Extensions.Logging;

using CriO.Server.Sandbox.Cgroups;

namespace CriO.Server.Containers;

/// <summary>
/// Containers: making them (Create, through a conmon per container), starting, stopping,
/// removing and recovering them. Knows nothing of gRPC. Steps live in partial files:
/// ContainerManager.Create.cs, .Start.cs, .Stop.cs, .Remove.cs, .State.cs, .Recover.cs.
/// </summary>
public sealed partial class ContainerManager(
    DaemonState daemon,
    ContainerStorage storage,
    ContainerStore store,
    SandboxStore pods,
    ImageResolver images,
    ImageViews imageViews,
    IPodCgroupManager cgroups,
    ContainerEvents events,
    TimeProvider time,
    ILogger<ContainerManager> logger)
{
    // conmon runs `runtime create` before it answers; a loaded node can take a while.
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromMinutes(4);

    // How long RemoveContainer waits for a monitor that is leaving to leave its cgroup.
    private const int MonitorCgroupAttempts = 100;
    private static readonly TimeSpan MonitorCgroupRetry = TimeSpan.FromMilliseconds(20);

    private readonly ConmonLauncher _launcher = new(time);
    private readonly Runtime.CreationsInFlight _creations = new("CreateContainer", time, logger);

    public ContainerStore Store => store;

    private long Now() => (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;

    private string RecordFile(string id) => Path.Combine(storage.Directories.ContainerUserData(id).Graph, ContainerStore.RecordFileName);

    /// <summary>Records a change; a start or an exit is also an event.</summary>
    private void Save(Container container, ContainerRecord record)
    {
        var before = container.Record.State;
        ContainerStore.Save(RecordFile(container.Id), record);
        container.Update(record);
        var change = (before, record.State) switch
        {
            (ContainerRecord.Created, ContainerRecord.Running) => ContainerEventType.ContainerStartedEvent,
            (not ContainerRecord.Exited, ContainerRecord.Exited) => ContainerEventType.ContainerStoppedEvent,
            _ => (ContainerEventType?)null,
        };
        if (change is { } type)
        {
            Publish(type, container);
        }
    }

    private void Publish(ContainerEventType type, Container container)
    {
        if (pods.Find(container.Record.PodId) is { } pod)
        {
            events.Publish(type, container.Id, pod);
        }
    }

    /// <summary>The OCI runtime of a handler, as configured now.</summary>
    private OciRuntime Runtime(string handler)
    {
        var runtimes = daemon.Config.Runtime.Runtimes;
        if (!runtimes.TryGetValue(handler, out var settings))
        {
            throw new FailedPreconditionException($"runtime handler \"{handler}\" is no longer configured");
        }

        var binary = RuntimeBinary.Resolve(handler, settings)
            ?? throw new FailedPreconditionException($"the OCI runtime of handler \"{handler}\" is not installed ({(settings.RuntimePath.Length > 0 ? settings.RuntimePath : handler + " on PATH")})");
        return new OciRuntime(binary, RuntimeRoot(handler, settings));
    }

    private static string RuntimeRoot(string handler, RuntimeHandlerSettings settings) =>
        settings.RuntimeRoot.Length > 0 ? settings.RuntimeRoot : $"/run/{handler}";

    /// <summary>Where monitors go: [crio.runtime] conmon_cgroup when set (CRI-O's older key), else the handler's monitor_cgroup.</summary>
    private string MonitorCgroup(RuntimeHandlerSettings settings) =>
        daemon.Config.Runtime.ConmonCgroup.Length > 0 ? daemon.Config.Runtime.ConmonCgroup : settings.MonitorCgroup;

    /// <summary>The monitor: the handler's monitor_path, else [crio.runtime] conmon, else ours beside crio, else Debian's.</summary>
    private string MonitorPath(RuntimeHandlerSettings settings)
    {
        foreach (var candidate in new[] { settings.MonitorPath, daemon.Config.Runtime.Conmon, Path.Combine(AppContext.BaseDirectory, "crio-conmon"), "/usr/bin/conmon", "/usr/local/bin/conmon" })
        {
            if (candidate.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FailedPreconditionException("no container monitor (conmon) is installed: set [crio.runtime] conmon");
    }
}
