using System.Diagnostics;
using CriO.Cri;
using CriO.Server.Errors;
using CriO.Server.Runtime;
using CriO.Storage.Store;
using Google.Protobuf;

namespace CriO.Server.Sandbox;

public sealed partial class SandboxManager
{
    /// <summary>
    /// Makes a pod: name, storage, files, cgroup, namespaces (and pause), network, each step
    /// pushed on an undo list that runs if a later one fails. The work runs to its end even when
    /// the caller cancels, so nothing is left half-made; the kubelet's retry then gets the pod.
    /// </summary>
    public Task<string> RunAsync(PodSandboxConfig config, string runtimeHandler, CancellationToken cancellationToken, DateTime? deadline = null)
    {
        PodSandboxConfigValidator.Validate(config);
        var handler = CheckHandler(runtimeHandler);
        var name = SandboxNames.Of(config.Metadata);
        return _creations.RunAsync(name, id => store.Find(id) is { IsReady: true }, progress => RunNowAsync(name, handler, config, progress), cancellationToken, deadline);
    }

    private async Task<string> RunNowAsync(string name, string handler, PodSandboxConfig config, CreationProgress progress)
    {
        var id = StoreIds.Random();
        store.Reserve(name, id);
        var started = Stopwatch.GetTimestamp();
        var undo = new UndoSteps(logger);
        undo.Push("release the pod name", () => store.Release(name, id));
        try
        {
            var record = await MakeAsync(id, name, handler, config, undo, progress).ConfigureAwait(false);
            var pod = new PodSandbox(record);
            SandboxStore.Save(RecordFile(id), record);
            store.Add(pod);
            undo.Commit();
            events.Publish(ContainerEventType.ContainerCreatedEvent, id, pod);
            events.Publish(ContainerEventType.ContainerStartedEvent, id, pod);
            SandboxLog.Ran(logger, id, name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, string.Join(", ", record.Ips));
            return id;
        }
        catch
        {
            progress.Stage = "undoing";
            await undo.RunAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string CheckHandler(string runtimeHandler)
    {
        var runtimes = daemon.Config.Runtime.Runtimes;
        var handler = runtimeHandler.Length == 0 ? daemon.Config.Runtime.DefaultRuntime : runtimeHandler;
        return runtimes.ContainsKey(handler)
            ? handler
            : throw new InvalidArgumentException($"runtime_handler: \"{handler}\" is not configured; known: {string.Join(", ", runtimes.Keys)}");
    }

    // Steps run on CancellationToken.None: each has its own bound (plugin and pinner timeouts).
    // The record is written CREATING as soon as the pod has a folder, and again before each
    // step that takes something from the node (cgroups, namespaces and pause, the CNI ADD), so
    // a daemon killed midway leaves a record of what to undo; Recover undoes it.
    private async Task<PodSandboxRecord> MakeAsync(string id, string name, string handler, PodSandboxConfig config, UndoSteps undo, CreationProgress progress)
    {
        var hostNetwork = IsHostNetwork(config);
        var hostIpc = IsHostIpc(config);
        var hostname = config.Hostname.Length > 0 ? config.Hostname : Environment.MachineName;

        progress.Stage = "storage";
        storage.CreateContainer(id, [name], imageReference: null, StorageMetadata(id, name, config));
        undo.Push("delete the pod's storage container", () => storage.DeleteContainer(id));
        var runDirectory = storage.Directories.ContainerUserData(id).Run;
        var record = new PodSandboxRecord
        {
            Id = id,
            Name = name,
            Config = Convert.ToBase64String(config.ToByteArray()),
            RuntimeHandler = handler,
            CreatedAt = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100,
            State = PodSandboxRecord.Creating,
            Hostname = hostname,
            RunDirectory = runDirectory,
            ShmPath = hostIpc ? "/dev/shm" : PodFiles.ShmPath(runDirectory),
        };
        SandboxStore.Save(RecordFile(id), record);

        PodFiles.WriteHostname(runDirectory, hostname);
        PodFiles.WriteResolvConf(runDirectory, config.DnsConfig);
        PodFiles.WriteHosts(runDirectory, hostname, [], hostNetwork);
        if (!hostIpc)
        {
            PodFiles.MountShm(runDirectory);
            undo.Push("unmount the pod's shm", () => PodFiles.UnmountShm(record.ShmPath));
        }

        progress.Stage = "cgroup";
        record = record with { CreatedCgroups = cgroups.PlanPod(config.Linux?.CgroupParent ?? "", id) };
        SandboxStore.Save(RecordFile(id), record);
        var cgroup = cgroups.CreatePod(config.Linux?.CgroupParent ?? "", id);
        undo.Push("remove the pod's cgroup", () => cgroups.Remove(cgroup.Created));
        record = record with { CgroupParent = cgroup.Parent };

        progress.Stage = "namespaces";
        var pausePath = HasPodPidNamespace(config) ? pinner.PausePath : null;
        undo.Push("unpin the pod's namespaces", () => pinner.Unpin(id));
        var pinned = hostNetwork && hostIpc && pausePath is null
            ? new PinnedNamespaces("", "", "", 0)
            : await pinner.PinAsync(id, net: !hostNetwork, ipc: !hostIpc, uts: !hostNetwork, hostname,
                config.Linux?.Sysctls ?? [], pausePath, CancellationToken.None).ConfigureAwait(false);
        ulong pauseStart = 0;
        if (pinned.PausePid > 0)
        {
            pauseStart = PauseProcess.StartTime(pinned.PausePid) ?? throw new InvalidOperationException($"pause process {pinned.PausePid} exited at once");
            undo.Push("stop the pause process", token => PauseProcess.TerminateAsync(pinned.PausePid, pauseStart, PauseGrace, token));
            cgroup = cgroups.AddProcess(cgroup, id, pinned.PausePid);
        }

        // Written before the CNI ADD: a daemon killed during it has a DEL to run.
        record = record with
        {
            NetNamespace = pinned.Net,
            IpcNamespace = pinned.Ipc,
            UtsNamespace = pinned.Uts,
            PausePid = pinned.PausePid,
            PauseStartTime = pauseStart,
            CreatedCgroups = cgroup.Created,
            NetworkAttached = !hostNetwork,
        };
        SandboxStore.Save(RecordFile(id), record);

        IReadOnlyList<string> ips = [];
        var networkName = "";
        if (!hostNetwork)
        {
            progress.Stage = "CNI ADD";
            var attachment = Attachment(id, config, pinned.Net);
            var status = await network.SetUpAsync(attachment, CancellationToken.None).ConfigureAwait(false);
            undo.Push("CNI DEL", token => network.TearDownAsync(attachment, token));
            ips = [.. status.Ips.Select(ip => ip.Ip.ToString())];
            networkName = status.NetworkName;
            PodFiles.WriteHosts(runDirectory, hostname, ips, hostNetwork);
        }

        return record with { State = PodSandboxRecord.Ready, Ips = ips, NetworkName = networkName };
    }

    // The metadata CRI-O keeps on a pod's storage container, so podman and crio storage list it legibly.
    private static string StorageMetadata(string id, string name, PodSandboxConfig config)
    {
        return JsonText.Object(json =>
        {
            json.WriteString("pod-name", name);
            json.WriteString("pod-id", id);
            json.WriteString("name", name);
            json.WriteString("metadata-name", config.Metadata.Name);
            json.WriteString("uid", config.Metadata.Uid);
            json.WriteString("namespace", config.Metadata.Namespace);
            json.WriteNumber("attempt", config.Metadata.Attempt);
        });
    }
}
