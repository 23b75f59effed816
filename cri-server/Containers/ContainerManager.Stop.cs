using CriO.Conmon.Client;
using CriO.Oci.Runtime;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    // After SIGKILL a container goes within moments unless the node is in trouble; bounded anyway.
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Stops a container: its stop signal (the image's StopSignal, else SIGTERM), up to
    /// <paramref name="timeout"/> to exit, then SIGKILL. Stop of an exited or unknown container
    /// succeeds, as the CRI contract asks (the kubelet retries Stop).
    /// </summary>
    public async Task StopAsync(string idOrPrefix, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (store.Find(idOrPrefix) is not { } container)
        {
            return;
        }

        await container.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopLockedAsync(container, timeout).ConfigureAwait(false);
        }
        finally
        {
            container.Gate.Release();
        }
    }

    /// <summary>Stops every container of a pod (StopPodSandbox), each with no grace beyond <paramref name="timeout"/>.</summary>
    public async Task StopPodAsync(string podId, TimeSpan timeout)
    {
        await Task.WhenAll(store.All.Where(c => c.Record.PodId == podId)
            .Select(c => StopAsync(c.Id, timeout, CancellationToken.None))).ConfigureAwait(false);
    }

    private async Task StopLockedAsync(Container container, TimeSpan timeout)
    {
        Refresh(container);
        var record = container.Record;
        if (record.State != ContainerRecord.Running && record.State != ContainerRecord.Created)
        {
            return;
        }

        var runtime = Runtime(record.RuntimeHandler);
        var exitDirectory = daemon.Config.Runtime.ContainerExitsDir;
        if (record.State == ContainerRecord.Running && timeout > TimeSpan.Zero && record.StopSignal != StopSignals.Kill)
        {
            await SignalAsync(runtime, container.Id, record.StopSignal).ConfigureAwait(false);
            if (await WaitExitAsync(exitDirectory, container.Id, timeout).ConfigureAwait(false))
            {
                Refresh(container);
                ContainerLog.Stopped(logger, container.Id, container.Record.ExitCode);
                return;
            }
        }

        await SignalAsync(runtime, container.Id, StopSignals.Kill).ConfigureAwait(false);
        if (record.State == ContainerRecord.Created)
        {
            // Never started: there is no process to wait for, and conmon waits for one forever.
            await runtime.DeleteAsync(container.Id, force: true, CancellationToken.None).ConfigureAwait(false);
        }

        if (!await WaitExitAsync(exitDirectory, container.Id, KillWait).ConfigureAwait(false) && record.State == ContainerRecord.Running)
        {
            throw new TimeoutException($"container {container.Id} did not exit {KillWait.TotalSeconds} s after SIGKILL");
        }

        Refresh(container);
        ContainerLog.Stopped(logger, container.Id, container.Record.ExitCode);
    }

    private static async Task SignalAsync(OciRuntime runtime, string id, int signal)
    {
        try
        {
            await runtime.KillAsync(id, signal, all: signal == StopSignals.Kill, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OciRuntimeException)
        {
            // Exited meanwhile (the runtime refuses to signal a stopped container): the exit file says so.
        }
    }

    private async Task<bool> WaitExitAsync(string exitDirectory, string id, TimeSpan bound)
    {
        try
        {
            await ExitFile.WaitForExitAsync(exitDirectory, id, bound, time, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
