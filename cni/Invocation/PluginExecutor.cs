using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CriO.Cni.Invocation;

/// <summary>
/// Runs one CNI plugin binary as the spec says: the CNI_* variables in its environment (with the
/// daemon's PATH, since plugins run iptables, ip and the like, and nothing else of the daemon's
/// environment), its configuration on stdin, its result (or error object) on stdout. Each run is
/// bounded by <see cref="CniSettings.PluginTimeout"/>; on the bound or on cancellation the plugin
/// is killed with every process it started (.NET's Process cannot start a child in a process
/// group of its own, so the tree is walked instead), because a plugin left running may still
/// change the node's network after we reported failure.
/// </summary>
internal sealed class PluginExecutor(CniSettings settings, TimeProvider time, ILogger logger)
{
    /// <summary>The largest result read: real results are a few KiB.</summary>
    public const int MaxResultBytes = 1024 * 1024;

    /// <summary>The stderr kept for the error message when a plugin fails without an error object.</summary>
    private const int MaxStderrBytes = 64 * 1024;

    /// <summary>ETXTBSY: the binary is open for writing somewhere.</summary>
    private const int TextFileBusy = 26;

    private const int StartAttempts = 5;

    /// <summary>PATH for plugins when the daemon has none (a bare systemd environment has one).</summary>
    private const string FallbackPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Runs the plugin; returns its stdout when it exits 0.</summary>
    /// <exception cref="CniPluginException">The plugin could not start, exited non-zero, or wrote more than <see cref="MaxResultBytes"/>.</exception>
    /// <exception cref="CniPluginTimeoutException">The plugin ran past the timeout and was killed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the plugin was killed.</exception>
    public async Task<ReadOnlyMemory<byte>> RunAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        using var activity = CniActivitySource.Instance.StartActivity("cni " + request.Command);
        activity?.SetTag("cni.plugin", request.PluginType);
        activity?.SetTag("container.id", request.ContainerId);

        using var process = new Process { StartInfo = StartInfo(request) };
        var started = time.GetTimestamp();
        await StartAsync(process, request, cancellationToken).ConfigureAwait(false);

        using var timeout = new CancellationTokenSource(settings.PluginTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var stdout = new BoundedOutput(MaxResultBytes);
        var stderr = new BoundedOutput(MaxStderrBytes);
        var reading = Task.WhenAll(
            stdout.ReadAsync(process.StandardOutput.BaseStream, linked.Token),
            stderr.ReadAsync(process.StandardError.BaseStream, linked.Token));
        var writing = WriteStdinAsync(process, request.Stdin, linked.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);

            // Output ends when the last holder of the pipe exits; a plugin that left a child
            // behind holding it is still bounded by the same token.
            await reading.ConfigureAwait(false);
            await writing.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            KillTree(process);
            Observe(reading);
            Observe(writing);
            cancellationToken.ThrowIfCancellationRequested();
            CniLog.PluginTimedOut(logger, request.PluginType, request.Command, request.ContainerId, settings.PluginTimeout.TotalSeconds);
            throw new CniPluginTimeoutException(request.PluginType, request.Command, settings.PluginTimeout);
        }
        finally
        {
            if (!HasExited(process))
            {
                KillTree(process);
            }
        }

        CniLog.PluginRan(logger, request.Command, request.PluginType, request.ContainerId, process.ExitCode, time.GetElapsedTime(started).TotalMilliseconds);
        if (process.ExitCode != 0)
        {
            throw PluginError.From(request, process.ExitCode, stdout.Bytes.Span, stderr.Bytes.Span);
        }

        if (stdout.Truncated)
        {
            throw new CniPluginException(request.PluginType, request.Command, 0, $"result larger than {MaxResultBytes} bytes", "");
        }

        return stdout.Bytes;
    }

    /// <summary>
    /// Starts the plugin. exec fails with ETXTBSY while any process holds the binary open for
    /// writing: an installer replacing it, or a child forked elsewhere in the daemon at that
    /// moment, holding a descriptor until its own exec. That passes; so retry briefly, as libcni does.
    /// </summary>
    private async Task StartAsync(Process process, PluginRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                process.Start();
                return;
            }
            catch (Win32Exception e) when (e.NativeErrorCode == TextFileBusy && attempt < StartAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), time, cancellationToken).ConfigureAwait(false);
            }
            catch (Win32Exception e)
            {
                throw new CniPluginException(request.PluginType, request.Command, 0, $"cannot run {request.PluginPath}: {e.Message}", "");
            }
        }
    }

    private ProcessStartInfo StartInfo(PluginRequest request)
    {
        var start = new ProcessStartInfo(request.PluginPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // Not the daemon's folder: a plugin has no business with it, and it may be unmounted.
            WorkingDirectory = "/",
        };
        start.Environment.Clear();
        start.Environment["CNI_COMMAND"] = request.Command;
        start.Environment["CNI_CONTAINERID"] = request.ContainerId;
        start.Environment["CNI_NETNS"] = request.NetNs;
        start.Environment["CNI_IFNAME"] = request.InterfaceName;
        start.Environment["CNI_ARGS"] = request.Args;
        start.Environment["CNI_PATH"] = string.Join(':', settings.PluginDirectories);
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : FallbackPath;
        return start;
    }

    private static async Task WriteStdinAsync(Process process, byte[] stdin, CancellationToken cancellationToken)
    {
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The plugin exited without reading all of its configuration: its exit code and
            // error object say why, not our broken pipe.
        }
        finally
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Same broken pipe, on the final flush.
            }
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // Exited on its own meanwhile.
        }
    }

    /// <summary>Swallows the outcome of a task left behind after a kill, so it is not reported as unobserved.</summary>
    private static void Observe(Task task) =>
        _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
