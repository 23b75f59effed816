using System.Diagnostics;
using CriO.Conmon.Client;
using CriO.Cri;
using CriO.Oci.Spec;
using CriO.Server.Config;
using CriO.Server.Containers.Spec;
using CriO.Server.Errors;
using CriO.Server.Sandbox;
using CriO.Storage.Store;
using Google.Protobuf;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Makes a container in a ready pod: name, storage (a read-write layer on the image), its
    /// root mounted, the OCI spec, and a conmon that has the runtime create it. Each step pushes
    /// its undo; a failure undoes them all, and the work runs to its end if the caller cancels
    /// (the kubelet's retry with the same name gets it: <see cref="Runtime.CreationsInFlight"/>).
    /// </summary>
    public Task<string> CreateAsync(string podId, ContainerConfig? config, CancellationToken cancellationToken, DateTime? deadline = null)
    {
        Validate(config);
        var pod = pods.Find(podId) ?? throw new NotFoundException($"pod sandbox {podId} not found");
        if (!pod.IsReady)
        {
            throw new FailedPreconditionException($"pod sandbox {pod.Id} is not ready: start a new pod");
        }

        var name = ContainerNames.Of(config!.Metadata, pod.Config.Metadata);
        return _creations.RunAsync(name, id => store.Find(id) is not null, progress => CreateNowAsync(pod, name, config, progress), cancellationToken, deadline);
    }

    private async Task<string> CreateNowAsync(Sandbox.PodSandbox pod, string name, ContainerConfig config, Runtime.CreationProgress progress)
    {
        var (image, _) = images.FindWithName(config.Image.Image);
        if (image is null)
        {
            throw new NotFoundException($"image \"{config.Image.Image}\" is not in the store: pull it first");
        }

        var handler = pod.Record.RuntimeHandler;
        var runtime = Runtime(handler);
        var settings = daemon.Config.Runtime.Runtimes[handler];
        var id = StoreIds.Random();
        store.Reserve(name, id);
        var started = Stopwatch.GetTimestamp();
        var undo = new UndoSteps(logger);
        undo.Push("release the container name", () => store.Release(name, id));
        try
        {
            progress.Stage = "storage";
            storage.CreateContainer(id, [name], image.Id, StorageMetadata(id, name, pod, config));
            undo.Push("delete the container's storage", () => storage.DeleteContainer(id));
            var (graph, bundle) = storage.Directories.ContainerUserData(id);
            var recordFile = Path.Combine(graph, ContainerStore.RecordFileName);
            var logPath = LogPath(id, pod, config);
            var imageConfig = imageViews.ImageConfig(image);

            // Written CREATING before the root is mounted and again once the monitor has its
            // cgroups: a daemon killed midway leaves a record of what to undo (see Recover).
            var record = new ContainerRecord
            {
                Id = id,
                Name = name,
                PodId = pod.Id,
                Config = Convert.ToBase64String(config.ToByteArray()),
                ImageId = image.Id,
                ImageName = config.Image.Image,
                ImageRef = image.Digest is { Length: > 0 } digest && image.Names is { Count: > 0 } names
                    ? $"{names[0].Split('@')[0].Split(':')[0]}@{digest}" : image.Id,
                RuntimeHandler = handler,
                LogPath = logPath,
                Bundle = bundle,
                CreatedAt = Now(),
                State = ContainerRecord.Creating,
                StopSignal = StopSignals.Parse(imageConfig?.Config?.StopSignal),
            };
            ContainerStore.Save(recordFile, record);
            var rootfs = storage.MountContainer(id);
            undo.Push("unmount the container's root", () => storage.UnmountContainer(id, force: true));

            progress.Stage = "OCI spec";
            var spec = ContainerSpecBuilder.Build(new ContainerSpecInput(
                id, config, pod.Config, pod.Record, imageConfig, config.Image.Image, rootfs,
                daemon.Config.Runtime.CgroupManager, SpecDefaults(settings), ContainerDirectory: graph, TargetPid: TargetPid));
            await OciJson.WriteConfigAsync(bundle, spec, CancellationToken.None).ConfigureAwait(false);

            Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
            var options = new MonitorOptions
            {
                ConmonPath = MonitorPath(settings),
                RuntimePath = runtime.BinaryPath,
                RuntimeRoot = runtime.Root,
                ContainerId = id,
                Name = name,
                BundlePath = bundle,
                ConmonPidFile = Path.Combine(bundle, "conmon-pidfile"),
                LogPath = logPath,
                ExitDirectory = daemon.Config.Runtime.ContainerExitsDir,
                SocketDirectory = daemon.Config.Runtime.ContainerAttachSocketDir,
                PersistDirectory = bundle,
                LogSizeMax = daemon.Config.Runtime.LogSizeMax,
                Terminal = config.Tty,
                Stdin = config.Stdin,
                StdinOnce = config.StdinOnce,
                SystemdCgroup = daemon.Config.Runtime.CgroupManager == CgroupManagers.Systemd,
                NoSyncLog = settings.NoSyncLog,
            };
            Task PlaceMonitor(int monitorPid, CancellationToken token)
            {
                record = record with { MonitorCgroups = cgroups.PlanMonitor(pod.Record.CgroupParent, id, MonitorCgroup(settings)) };
                ContainerStore.Save(recordFile, record);
                var monitorCgroups = cgroups.AddMonitor(pod.Record.CgroupParent, id, monitorPid, MonitorCgroup(settings));
                undo.Push("remove the monitor's cgroup", token => RemoveMonitorCgroupsAsync(monitorCgroups, token));
                record = record with { MonitorCgroups = monitorCgroups };
                ContainerStore.Save(recordFile, record);
                return Task.CompletedTask;
            }

            progress.Stage = "monitor and runtime create";
            var monitor = await _launcher.StartAsync(options, CreateTimeout, PlaceMonitor, CancellationToken.None).ConfigureAwait(false);
            undo.Push("delete the runtime's container", token => runtime.DeleteAsync(id, force: true, token));

            record = record with { State = ContainerRecord.Created, Pid = monitor.ContainerPid };
            ContainerStore.Save(recordFile, record);
            var container = new Container(record);
            store.Add(container);
            undo.Commit();
            events.Publish(ContainerEventType.ContainerCreatedEvent, id, pod);
            ContainerLog.Created(logger, id, name, pod.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return id;
        }
        catch (MonitorStartException e)
        {
            progress.Stage = "undoing";
            await undo.RunAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"the OCI runtime could not create the container: {e.RuntimeMessage}", e);
        }
        catch
        {
            progress.Stage = "undoing";
            await undo.RunAsync().ConfigureAwait(false);
            throw;
        }
    }

    // The host PID of a running container of this daemon, for a TARGET PID namespace.
    private int TargetPid(string containerId) =>
        store.Find(containerId) is { } target && Refresh(target).Record.State == ContainerRecord.Running
            ? target.Record.Pid
            : throw new FailedPreconditionException($"target container {containerId} is not running");

    /// <summary>What the config alone can be refused for: checked before anything is looked up or made.</summary>
    internal static void Validate(ContainerConfig? config)
    {
        if (config is null)
        {
            throw new InvalidArgumentException("config: missing");
        }

        if (string.IsNullOrEmpty(config.Metadata?.Name))
        {
            throw new InvalidArgumentException("config.metadata.name: missing");
        }

        if (config.Metadata.Name.Any(c => char.IsControl(c) || c is '/' or '_'))
        {
            throw new InvalidArgumentException($"config.metadata.name: \"{config.Metadata.Name}\" has characters that are not allowed ('/', '_', control characters)");
        }

        if (string.IsNullOrEmpty(config.Image?.Image))
        {
            throw new InvalidArgumentException("config.image.image: missing");
        }

        if (config.LogPath.Length > 0 && (config.LogPath.StartsWith('/') || config.LogPath.Split('/').Contains("..")))
        {
            throw new InvalidArgumentException($"config.log_path: \"{config.LogPath}\" must be relative to the pod's log_directory");
        }

        // A group alone would pair with whatever user the image names; CRI-O refuses it (critest
        // checks), here before any storage or mount exists rather than undoing them.
        if (config.Linux?.SecurityContext is { RunAsGroup: not null, RunAsUser: null, RunAsUsername.Length: 0 })
        {
            throw new InvalidArgumentException("config.linux.security_context.run_as_group: set without run_as_user or run_as_username");
        }
    }

    // The kubelet gives log_directory (pod) + log_path (container); crictl may give neither.
    private string LogPath(string id, Sandbox.PodSandbox pod, ContainerConfig config)
    {
        var directory = pod.Config.LogDirectory.Length > 0 ? pod.Config.LogDirectory : Path.Combine(daemon.Config.LogDir, pod.Id);
        return Path.Combine(directory, config.LogPath.Length > 0 ? config.LogPath : id + ".log");
    }

    private ContainerSpecDefaults SpecDefaults(RuntimeHandlerSettings handler)
    {
        var runtime = daemon.Config.Runtime;
        return new ContainerSpecDefaults(runtime.DefaultCapabilities, runtime.DefaultSysctls, runtime.DefaultUlimits, runtime.SeccompProfile,
            Capabilities.HostBoundingSet(), runtime.AbsentMountSourcesToReject, runtime.ApparmorProfile,
            runtime.AdditionalDevices, handler.PrivilegedWithoutHostDevices, runtime.DeviceOwnershipFromSecurityContext);
    }

    private static string StorageMetadata(string id, string name, Sandbox.PodSandbox pod, ContainerConfig config)
    {
        return JsonText.Object(json =>
        {
            json.WriteString("pod-name", pod.Name);
            json.WriteString("pod-id", pod.Id);
            json.WriteString("image-name", config.Image.Image);
            json.WriteString("name", name);
            json.WriteString("metadata-name", config.Metadata.Name);
            json.WriteNumber("attempt", config.Metadata.Attempt);
            json.WriteString("container-id", id);
        });
    }
}
