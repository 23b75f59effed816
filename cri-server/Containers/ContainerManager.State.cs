using CriO.Conmon.Client;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// The container as it is now: a CREATED or RUNNING one whose conmon has written its exit
    /// file is recorded EXITED (exit code, finish time from the file, reason). Cheap when
    /// nothing changed: one stat of the exit file.
    /// </summary>
    public Container Refresh(Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var record = container.Record;
        if (record.State == ContainerRecord.Exited || (record.State == ContainerRecord.Created && container.Starting))
        {
            return container;
        }

        var exitDirectory = daemon.Config.Runtime.ContainerExitsDir;
        if (ExitFile.ReadExitCode(exitDirectory, container.Id) is not { } code)
        {
            return container;
        }

        var finished = File.GetLastWriteTimeUtc(MonitorFiles.ExitFile(exitDirectory, container.Id));
        var oomKilled = File.Exists(Path.Combine(record.Bundle, "oom"));
        var updated = record with
        {
            State = ContainerRecord.Exited,
            ExitCode = code,
            // The file system's clock is coarser than ours: never finished before started.
            FinishedAt = Math.Max((new DateTimeOffset(finished) - DateTimeOffset.UnixEpoch).Ticks * 100, record.StartedAt),
            Reason = oomKilled ? "OOMKilled" : code == 0 ? "Completed" : "Error",
        };
        lock (container)
        {
            if (container.Record.State != ContainerRecord.Exited)
            {
                Save(container, updated);
                if (oomKilled)
                {
                    Telemetry.CrioMetrics.ContainerOomKilled(record.Name);
                }
            }
        }

        return container;
    }
}
