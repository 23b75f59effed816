using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace CriO.Oci.Runtime;

public sealed partial class OciRuntime
{
    /// <summary>
    /// <c>exec --process FILE --pid-file PIDFILE ID</c>: runs a process (an OCI process spec
    /// written by the caller) in a running container and waits for it, keeping at most
    /// <paramref name="maxOutputBytes"/> of its stdout and of its stderr (the rest is read and
    /// dropped, so it never blocks on a full pipe). At <paramref name="timeout"/> (none when
    /// zero) the process itself is killed — killing the runtime alone would leave it running in
    /// the container — and the result says TimedOut.
    /// </summary>
    public async Task<OciExecResult> ExecAsync(string id, string processFile, string pidFile, TimeSpan timeout, int maxOutputBytes, CancellationToken cancellationToken = default)
    {
        using var process = StartExec(id, processFile, pidFile);
        process.StandardInput.Close();
        var output = ReadBoundedAsync(process.StandardOutput.BaseStream, maxOutputBytes);
        var errors = ReadBoundedAsync(process.StandardError.BaseStream, maxOutputBytes);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout > TimeSpan.Zero)
        {
            bound.CancelAfter(timeout);
        }

        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellationToken.IsCancellationRequested;
            KillExecuted(pidFile);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (!timedOut)
            {
                throw;
            }
        }

        return new OciExecResult(timedOut ? -1 : process.ExitCode, await output.ConfigureAwait(false), await errors.ConfigureAwait(false), timedOut);
    }

    /// <summary>
    /// <c>exec --process FILE --pid-file PIDFILE ID</c> started with its stdin, stdout and stderr
    /// as pipes the caller drives (a streaming exec); the caller waits for it and disposes it.
    /// </summary>
    public Process StartExec(string id, string processFile, string pidFile)
    {
        CheckId(id);
        var start = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in ExecArguments(id, processFile, pidFile))
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new OciRuntimeException($"{Name} exec {id}: cannot run {BinaryPath}: {e.Message}", e);
        }

        return process;
    }

    /// <summary>
    /// The arguments of <c>exec</c> in the foreground. With a terminal in the process file the
    /// runtime makes the container's terminal and copies between it and its own stdio, which
    /// must then be a terminal too (see the daemon's streaming exec).
    /// </summary>
    public IReadOnlyList<string> ExecArguments(string id, string processFile, string pidFile)
    {
        CheckId(id);
        return ["--root", Root, "exec", "--process", processFile, "--pid-file", pidFile, id];
    }

    /// <summary>Kills the process an exec started (its pid from the pid file); gone already is fine.</summary>
    public static void KillExecuted(string pidFile)
    {
        try
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                using var executed = Process.GetProcessById(pid);
                executed.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or Win32Exception or UnauthorizedAccessException)
        {
            // Not started yet, or already gone: the runtime's own kill below ends the rest.
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream stream, int max)
    {
        using var kept = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = max - (int)kept.Length;
            if (room > 0)
            {
                kept.Write(buffer, 0, Math.Min(room, read));
            }
        }

        return kept.ToArray();
    }
}
