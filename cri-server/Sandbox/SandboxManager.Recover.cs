using System.Text.Json;

namespace CriO.Server.Sandbox;

public sealed partial class SandboxManager
{
    /// <summary>
    /// Finds the pods of an earlier daemon from their records on disk. A pod whose namespaces or
    /// pause process did not survive (a reboot) comes back NOTREADY, still holding what Stop
    /// must release (its CNI attachment, kept in the CNI cache), so the kubelet's Stop and Remove
    /// clean it up. A pod whose RunPodSandbox was cut off (the daemon killed midway: its record
    /// still says CREATING) is undone from what its record names, as the failed call would have.
    /// </summary>
    public async Task RecoverAsync()
    {
        var recovered = 0;
        var notReady = 0;
        foreach (var container in storage.Containers.List())
        {
            var file = RecordFile(container.Id);
            if (!File.Exists(file))
            {
                continue;
            }

            try
            {
                var record = SandboxStore.Load(file);
                if (record.State == PodSandboxRecord.Creating)
                {
                    await UndoCutOffAsync(record).ConfigureAwait(false);
                    continue;
                }

                var pod = new PodSandbox(record);
                if (record.State == PodSandboxRecord.Ready && !Survived(record))
                {
                    record = record with { State = PodSandboxRecord.NotReady };
                    Save(pod, record);
                }

                store.Add(pod);
                recovered++;
                notReady += pod.IsReady ? 0 : 1;
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or IOException or FormatException)
            {
                SandboxLog.RecoverFailed(logger, file, e.Message);
            }
        }

        SandboxLog.Recovered(logger, recovered, notReady);
    }

    private async Task UndoCutOffAsync(PodSandboxRecord record)
    {
        await DeleteEverywhereAsync(new PodSandbox(record)).ConfigureAwait(false);
        SandboxLog.UndoneCutOff(logger, record.Id, record.Name);
    }

    private static bool Survived(PodSandboxRecord record) =>
        (record.NetNamespace.Length == 0 || NamespacePinner.IsPinned(record.NetNamespace))
        && (record.IpcNamespace.Length == 0 || NamespacePinner.IsPinned(record.IpcNamespace))
        && (record.PausePid == 0 || PauseProcess.IsAlive(record.PausePid, record.PauseStartTime));
}
