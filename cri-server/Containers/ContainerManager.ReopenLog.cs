using CriO.Conmon.Client;
using CriO.Server.Errors;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Asks the container's conmon to start a fresh log file at the log path, after the kubelet
    /// has rotated (renamed) the old one. Only a running container has a conmon to ask.
    /// </summary>
    public async Task ReopenLogAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        var container = GetRunning(idOrPrefix, "its log cannot be reopened");

        try
        {
            await ControlFifo.ReopenLogAsync(MonitorFiles.ControlFifo(container.Record.Bundle), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new FailedPreconditionException($"container {container.Id}: its monitor is gone ({e.Message})", e);
        }

        // conmon reopens asynchronously; the kubelet checks for the new file right after the call.
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(5);
        while (!File.Exists(container.Record.LogPath) && time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ConfigureAwait(false);
        }
    }
}
