using CriO.Conmon.Client;
using CriO.Server.Errors;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    /// <summary>Starts a CREATED container (the runtime's start; conmon already holds its stdio).</summary>
    public async Task StartAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        var container = store.Get(idOrPrefix);
        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Refresh(container);
            if (container.Record.State != ContainerRecord.Created)
            {
                throw new FailedPreconditionException($"container {container.Id} is {container.Record.State}, not created: only a created container can be started");
            }

            // Taken before the start: a container that exits at once has its exit file written
            // before the runtime returns, and must not look finished before it started.
            var startedAt = Now();
            container.Starting = true;
            try
            {
                await Runtime(container.Record.RuntimeHandler).StartAsync(container.Id, CancellationToken.None).ConfigureAwait(false);
                var pid = MonitorFiles.ReadPid(Path.Combine(container.Record.Bundle, "pidfile")) ?? container.Record.Pid;
                Save(container, container.Record with { State = ContainerRecord.Running, StartedAt = startedAt, Pid = pid });
            }
            finally
            {
                container.Starting = false;
            }

            // A container that exited at once is EXITED, not RUNNING, by the next read.
            Refresh(container);
        }
        finally
        {
            container.Gate.Release();
        }

        ContainerLog.Started(logger, container.Id);
    }
}
