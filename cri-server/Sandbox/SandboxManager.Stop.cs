namespace CriO.Server.Sandbox;

public sealed partial class SandboxManager
{
    /// <summary>
    /// Stops a pod: its containers (when there are any), the pause process, CNI DEL (which frees
    /// the IP and host ports), the pinned namespaces and the shm mount. The pod stays listable as
    /// NOTREADY. Repeatable: the CRI contract makes Stop of a stopped or unknown pod a success,
    /// since the kubelet retries it until it sees one.
    /// </summary>
    public async Task StopAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        if (store.Find(idOrPrefix) is not { } pod)
        {
            return;
        }

        await pod.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ReleaseAsync(pod).ConfigureAwait(false);
        }
        finally
        {
            pod.Gate.Release();
        }

        SandboxLog.Stopped(logger, pod.Id);
    }

    // Every step checks the record, so a second run (after a failure midway, or a daemon
    // restart) does only what is left. Runs on CancellationToken.None: a stop cut off halfway
    // would leave an IP allocated with no netns to find it by.
    private async Task ReleaseAsync(PodSandbox pod)
    {
        // The pod's containers first: they live in its namespaces. No grace here: the kubelet
        // stops each container with its own grace period before it stops the pod.
        await containers.StopPodAsync(pod.Id, TimeSpan.Zero).ConfigureAwait(false);
        var record = pod.Record;
        if (record.PausePid > 0)
        {
            await PauseProcess.TerminateAsync(record.PausePid, record.PauseStartTime, PauseGrace, CancellationToken.None).ConfigureAwait(false);
            record = record with { PausePid = 0, PauseStartTime = 0 };
            Save(pod, record);
        }

        if (record.NetworkAttached)
        {
            var netns = NamespacePinner.IsPinned(record.NetNamespace) ? record.NetNamespace : "";
            await network.TearDownAsync(Attachment(pod.Id, pod.Config, netns), CancellationToken.None).ConfigureAwait(false);
            record = record with { NetworkAttached = false, Ips = [] };
            Save(pod, record);
        }

        pinner.Unpin(pod.Id);
        if (record.ShmPath != "/dev/shm")
        {
            PodFiles.UnmountShm(record.ShmPath);
        }

        if (record.State != PodSandboxRecord.NotReady)
        {
            Save(pod, record with { State = PodSandboxRecord.NotReady });
            events.Publish(Cri.ContainerEventType.ContainerStoppedEvent, pod.Id, pod);
        }
    }
}
