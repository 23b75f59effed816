namespace CriO.Server.Sandbox;

public sealed partial class SandboxManager
{
    /// <summary>
    /// Removes a pod: stops it if it is still ready, then its cgroup, storage container (and with
    /// it every file of the pod) and state, and frees its name. Removing an unknown pod succeeds,
    /// as the CRI contract asks: the kubelet may retry a Remove that did its work.
    /// </summary>
    public async Task RemoveAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        if (store.Find(idOrPrefix) is not { } pod)
        {
            return;
        }

        await pod.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await DeleteEverywhereAsync(pod).ConfigureAwait(false);
            store.Remove(pod);
            events.Publish(Cri.ContainerEventType.ContainerDeletedEvent, pod.Id, pod);
        }
        finally
        {
            pod.Gate.Release();
        }

        SandboxLog.Removed(logger, pod.Id);
    }

    /// <summary>
    /// What a pod holds outside the daemon's memory, taken away: what Stop releases, its
    /// containers, its cgroups and its storage (with the record). Shared by RemovePodSandbox and
    /// the undoing of a RunPodSandbox cut off by a crash.
    /// </summary>
    private async Task DeleteEverywhereAsync(PodSandbox pod)
    {
        await ReleaseAsync(pod).ConfigureAwait(false);
        await containers.RemovePodAsync(pod.Id).ConfigureAwait(false);
        cgroups.Remove(pod.Record.CreatedCgroups);
        storage.DeleteContainer(pod.Id);
    }
}
