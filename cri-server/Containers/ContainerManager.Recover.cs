using System.Text.Json;
using CriO.Conmon.Client;
using CriO.Server.Sandbox;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Finds the containers of an earlier daemon from their records. Their conmons kept running
    /// (they are not our children); exits that happened meanwhile are read from the exit files.
    /// What a daemon killed midway left is undone: a container whose record still says CREATING
    /// (its runtime state, monitor cgroups, root mount and storage), and storage containers of
    /// ours that never got a record at all (cut off between the store and the first record).
    /// Storage containers of other tools (podman's, in a shared store) are left alone.
    /// </summary>
    public async Task RecoverAsync()
    {
        var count = 0;
        foreach (var stored in storage.Containers.List())
        {
            var file = RecordFile(stored.Id);
            if (!File.Exists(file))
            {
                if (!File.Exists(Path.Combine(storage.Directories.ContainerUserData(stored.Id).Graph, SandboxStore.RecordFileName)) && Daemon.StoreMaintenance.IsCriContainer(stored))
                {
                    DeleteStorage(stored.Id);
                    ContainerLog.UndoneCutOff(logger, stored.Id, string.Join(',', stored.Names ?? []));
                }

                continue;
            }

            try
            {
                var record = ContainerStore.Load(file);
                if (record.State == ContainerRecord.Creating)
                {
                    await UndoCutOffAsync(record).ConfigureAwait(false);
                    continue;
                }

                var container = new Container(record);
                store.Add(container);
                await ReconcileAsync(container).ConfigureAwait(false);
                count++;
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or IOException or FormatException)
            {
                ContainerLog.RecoverFailed(logger, file, e.Message);
            }
        }

        ContainerLog.Recovered(logger, count);
    }

    /// <summary>
    /// A container recorded RUNNING whose monitor is gone (killed, or lost with its cgroup) left
    /// no exit file to say how it ended: the runtime is asked. Stopped or unknown there, it is
    /// recorded EXITED with exit code 255 and a message that says why the code is unknown.
    /// </summary>
    private async Task ReconcileAsync(Container container)
    {
        var record = container.Record;
        if (record.State != ContainerRecord.Running
            || File.Exists(MonitorFiles.ExitFile(daemon.Config.Runtime.ContainerExitsDir, container.Id))
            || MonitorFiles.ReadPid(Path.Combine(record.Bundle, "conmon-pidfile")) is not { } monitor
            || Directory.Exists($"/proc/{monitor}")
            || !daemon.Config.Runtime.Runtimes.ContainsKey(record.RuntimeHandler))
        {
            return;
        }

        try
        {
            if ((await Runtime(record.RuntimeHandler).StateAsync(container.Id, CancellationToken.None).ConfigureAwait(false)).Status != Oci.Runtime.OciStatus.Stopped)
            {
                return;
            }
        }
        catch (Oci.Runtime.OciContainerNotFoundException)
        {
            // Gone from the runtime too.
        }

        Save(container, record with
        {
            State = ContainerRecord.Exited,
            ExitCode = 255,
            FinishedAt = Math.Max(Now(), record.StartedAt),
            Reason = "Error",
            Message = "the container's monitor was gone, and with it how the container ended",
        });
        ContainerLog.Stopped(logger, container.Id, 255);
    }

    private async Task UndoCutOffAsync(ContainerRecord record)
    {
        await DeleteEverywhereAsync(record).ConfigureAwait(false);
        ContainerLog.UndoneCutOff(logger, record.Id, record.Name);
    }
}
