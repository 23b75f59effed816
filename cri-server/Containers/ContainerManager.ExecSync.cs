using CriO.Conmon.Client;
using CriO.Oci.Runtime;
using CriO.Oci.Spec;
using CriO.Server.Errors;

namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Starts a streaming exec (the Exec RPC's URL, once a client connected): the runtime's exec
    /// with pipes the caller drives. The caller disposes the returned exec, which removes its files.
    /// </summary>
    public async Task<StreamingExec> StartExecAsync(string idOrPrefix, IReadOnlyList<string> command, bool tty, CancellationToken cancellationToken)
    {
        var (container, processFile, pidFile) = await PrepareExecAsync(idOrPrefix, command, cancellationToken, tty).ConfigureAwait(false);
        try
        {
            var runtime = Runtime(container.Record.RuntimeHandler);
            return tty
                ? new StreamingExec(TerminalProcess.Start(runtime.BinaryPath, runtime.ExecArguments(container.Id, processFile, pidFile), DaemonEnvironment(), container.Record.Bundle), processFile, pidFile)
                : new StreamingExec(runtime.StartExec(container.Id, processFile, pidFile), processFile, pidFile);
        }
        catch
        {
            File.Delete(processFile);
            File.Delete(pidFile);
            throw;
        }
    }

    private static List<string> DaemonEnvironment() =>
        [.. Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}")];

    /// <summary>A running container by ID or prefix; NotFound, or FailedPrecondition naming <paramref name="why"/>.</summary>
    public Container GetRunning(string idOrPrefix, string why)
    {
        var container = Refresh(store.Get(idOrPrefix));
        return container.Record.State == ContainerRecord.Running
            ? container
            : throw new FailedPreconditionException($"container {container.Id} is {container.Record.State}, not running: {why}");
    }

    /// <summary>The container's process settings (user, env, cwd, capabilities) with the command's args, in a file beside its bundle.</summary>
    private async Task<(Container Container, string ProcessFile, string PidFile)> PrepareExecAsync(string idOrPrefix, IReadOnlyList<string> command, CancellationToken cancellationToken, bool tty = false)
    {
        if (command.Count == 0)
        {
            throw new InvalidArgumentException("cmd: missing");
        }

        var container = GetRunning(idOrPrefix, "nothing to exec in");
        var bundle = container.Record.Bundle;
        var process = OciJson.Deserialize(await File.ReadAllTextAsync(Path.Combine(bundle, "config.json"), cancellationToken).ConfigureAwait(false)).Process
            ?? throw new InvalidOperationException($"container {container.Id}: config.json has no process");
        process.Args = [.. command];
        process.Terminal = tty;
        process.ConsoleSize = null;
        var name = $"exec-{Guid.NewGuid():N}";
        var processFile = Path.Combine(bundle, name + ".json");
        var pidFile = Path.Combine(bundle, name + ".pid");
        await File.WriteAllBytesAsync(processFile, OciJson.SerializeProcess(process), cancellationToken).ConfigureAwait(false);
        return (container, processFile, pidFile);
    }

    // What CRI-O keeps of an ExecSync's stdout and of its stderr: 16 MiB each.
    public const int ExecSyncOutputLimit = 16 * 1024 * 1024;

    /// <summary>
    /// Runs a command in a running container and waits for it (exec probes, kubectl exec
    /// without a terminal): the container's process settings (user, env, cwd, capabilities)
    /// with the command's args. At the timeout the command is killed and the call answers
    /// DeadlineExceeded, which the kubelet reads as a timed-out probe.
    /// </summary>
    public async Task<OciExecResult> ExecSyncAsync(string idOrPrefix, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (container, processFile, pidFile) = await PrepareExecAsync(idOrPrefix, command, cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await Runtime(container.Record.RuntimeHandler)
                .ExecAsync(container.Id, processFile, pidFile, timeout, ExecSyncOutputLimit, cancellationToken).ConfigureAwait(false);
            return result.TimedOut
                ? throw new DeadlineExceededException($"command {string.Join(' ', command)} timed out after {timeout.TotalSeconds} s and was killed")
                : result;
        }
        finally
        {
            File.Delete(processFile);
            File.Delete(pidFile);
        }
    }
}
