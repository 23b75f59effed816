using CriO.Conmon.Client;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Removes a container: stops it (no grace) if it runs, then the runtime's state, its root
    /// mount, storage and record, and frees its name. Unknown: success, as the CRI contract asks.
    /// </summary>
    public async Task RemoveAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        if (store.Find(idOrPrefix) is not { } container)
        {
            return;
        }

        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopLockedAsync(container, TimeSpan.Zero).ConfigureAwait(false);
            await DeleteEverywhereAsync(container.Record).ConfigureAwait(false);
            store.Remove(container);
            Publish(Cri.ContainerEventType.ContainerDeletedEvent, container);
        }
        finally
        {
            container.Gate.Release();
        }

        ContainerLog.Removed(logger, container.Id);
    }

    /// <summary>
    /// What a container holds outside the daemon's memory, taken away: the runtime's state, the
    /// monitor's cgroups, the root mount, storage (with the record) and the exit file. Shared by
    /// RemoveContainer and the undoing of a CreateContainer cut off by a crash.
    /// </summary>
    private async Task DeleteEverywhereAsync(ContainerRecord record)
    {
        if (daemon.Config.Runtime.Runtimes.ContainsKey(record.RuntimeHandler))
        {
            await Runtime(record.RuntimeHandler).DeleteAsync(record.Id, force: true, CancellationToken.None).ConfigureAwait(false);
        }

        await RemoveMonitorCgroupsAsync(record.MonitorCgroups, CancellationToken.None).ConfigureAwait(false);
        DeleteStorage(record.Id);
        File.Delete(MonitorFiles.ExitFile(daemon.Config.Runtime.ContainerExitsDir, record.Id));
    }

    private void DeleteStorage(string id)
    {
        storage.UnmountContainer(id, force: true);
        storage.DeleteContainer(id);
    }

    /// <summary>
    /// Removes the monitor's cgroups. The container has exited, but its conmon may still be
    /// writing the exit file's last bytes and leaving: a cgroup with a process in it is busy, so
    /// this waits for it, boundedly, and after that leaves the cgroup with a warning rather than
    /// failing the removal.
    /// </summary>
    private async Task RemoveMonitorCgroupsAsync(IReadOnlyList<string> created, CancellationToken cancellationToken)
    {
        for (var attempt = 1; created.Count > 0; attempt++)
        {
            try
            {
                cgroups.Remove(created);
                return;
            }
            catch (IOException e) when (attempt < MonitorCgroupAttempts)
            {
                logger.LogDebug(e, "monitor cgroup still busy");
                await Task.Delay(MonitorCgroupRetry, time, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                ContainerLog.MonitorCgroupLeft(logger, string.Join(", ", created), e.Message);
                return;
            }
        }
    }

    /// <summary>Removes every container of a pod (RemovePodSandbox).</summary>
    public async Task RemovePodAsync(string podId)
    {
        foreach (var container in store.All.Where(c => c.Record.PodId == podId).ToList())
        {
            await RemoveAsync(container.Id, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
