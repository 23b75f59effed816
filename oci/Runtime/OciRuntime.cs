using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CriO.Oci.Spec;

namespace CriO.Oci.Runtime;

/// <summary>
/// Drives one OCI runtime binary (runc or crun, which share this command line) over one state
/// folder (<c>--root</c>). Each call runs the binary as a child process (never a fork of the
/// daemon), bounded by <see cref="Timeout"/> and the caller's token; a failure raises an
/// <see cref="OciRuntimeException"/> carrying the runtime's own message, taken from its JSON log
/// lines (<c>--log-format=json</c>, which both runtimes write to stderr).
/// </summary>
public sealed partial class OciRuntime
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for stderr to close after the runtime exits.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time;

    public OciRuntime(string binaryPath, string root, TimeSpan? timeout = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(binaryPath);
        ArgumentException.ThrowIfNullOrEmpty(root);
        BinaryPath = binaryPath;
        Root = root;
        Timeout = timeout ?? DefaultTimeout;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The runtime executable, such as <c>/usr/sbin/runc</c>.</summary>
    public string BinaryPath { get; }

    /// <summary>The runtime's state folder, passed as <c>--root</c>; each container lives in <c>Root/ID</c>.</summary>
    public string Root { get; }

    /// <summary>The bound on each runtime call.</summary>
    public TimeSpan Timeout { get; }

    private string Name => Path.GetFileName(BinaryPath);

    private Activity? StartActivity(string step, string id)
    {
        var activity = OciActivitySource.Instance.StartActivity(step);
        activity?.SetTag("oci.runtime", Name);
        activity?.SetTag("container.id", id);
        return activity;
    }

    /// <summary>
    /// <c>create</c>: sets up the container from <c>bundle/config.json</c> and leaves its process
    /// waiting for <see cref="StartAsync"/>; the runtime writes the process id to
    /// <paramref name="pidFile"/>. Without <paramref name="consoleSocket"/> (a terminal spec needs
    /// one) the container keeps the runtime's stdio: a stdin at end-of-file and stdout/stderr pipes
    /// that are closed once create returns, so its writes there fail with EPIPE. A container whose
    /// output matters is created by conmon, which holds its stdio.
    /// </summary>
    public async Task CreateAsync(string id, string bundle, string pidFile, string? consoleSocket = null,
        CancellationToken cancellationToken = default)
    {
        CheckId(id);
        using var activity = StartActivity("runtime create", id);
        List<string> args = ["create", "--bundle", bundle, "--pid-file", pidFile];
        if (consoleSocket is not null)
        {
            args.Add("--console-socket");
            args.Add(consoleSocket);
        }

        args.Add(id);
        var result = await RunAsync(args, containerKeepsStdio: true, cancellationToken).ConfigureAwait(false);
        Check(result, "create", id);
    }

    /// <summary><c>start</c>: runs the user process of a created container.</summary>
    public async Task StartAsync(string id, CancellationToken cancellationToken = default)
    {
        CheckId(id);
        using var activity = StartActivity("runtime start", id);
        var result = await RunAsync(["start", id], containerKeepsStdio: false, cancellationToken).ConfigureAwait(false);
        Check(result, "start", id);
    }

    /// <summary><c>state</c>. Throws <see cref="OciContainerNotFoundException"/> for an unknown id.</summary>
    public async Task<OciState> StateAsync(string id, CancellationToken cancellationToken = default)
    {
        CheckId(id);
        var result = await RunAsync(["state", id], containerKeepsStdio: false, cancellationToken).ConfigureAwait(false);
        Check(result, "state", id);
        try
        {
            return OciJson.DeserializeState(result.Output);
        }
        catch (JsonException e)
        {
            throw new OciRuntimeException($"{Name} state {id}: cannot parse its output: {e.Message}", e);
        }
    }

    /// <summary>
    /// <c>kill</c>: sends <paramref name="signal"/> (a number, such as 9 for SIGKILL) to the
    /// container's process, or with <paramref name="all"/> to every process in its cgroup.
    /// Throws <see cref="OciContainerNotFoundException"/> for an unknown id.
    /// </summary>
    public async Task KillAsync(string id, int signal, bool all = false, CancellationToken cancellationToken = default)
    {
        CheckId(id);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(signal);
        List<string> args = ["kill"];
        if (all)
        {
            args.Add("--all");
        }

        args.Add(id);
        args.Add(signal.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await RunAsync(args, containerKeepsStdio: false, cancellationToken).ConfigureAwait(false);
        Check(result, "kill", id);
    }

    /// <summary><c>update --resources FILE</c>: changes a live container's cgroup limits (FILE holds the OCI resources JSON).</summary>
    public async Task UpdateAsync(string id, string resourcesFile, CancellationToken cancellationToken = default)
    {
        CheckId(id);
        var result = await RunAsync(["update", "--resources", resourcesFile, id], containerKeepsStdio: false, cancellationToken).ConfigureAwait(false);
        Check(result, "update", id);
    }

    /// <summary>
    /// <c>delete</c>: removes a stopped container (with <paramref name="force"/>, kills a running
    /// one first). Deleting an id the runtime does not know succeeds: the CRI contract makes
    /// RemoveContainer idempotent, and the daemon retries removals after a crash.
    /// </summary>
    public async Task DeleteAsync(string id, bool force = false, CancellationToken cancellationToken = default)
    {
        CheckId(id);
        List<string> args = ["delete"];
        if (force)
        {
            args.Add("--force");
        }

        args.Add(id);
        var result = await RunAsync(args, containerKeepsStdio: false, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && !Exists(id))
        {
            return;
        }

        Check(result, "delete", id);
    }

    /// <summary>
    /// The same rule runc applies to ids: they name a folder under <see cref="Root"/>, so no
    /// slashes, no <c>.</c>/<c>..</c>, and no leading dash that could read as an option.
    /// </summary>
    private static void CheckId(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var ok = id is not ("." or "..") && id[0] != '-'
            && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-' or '.');
        if (!ok)
        {
            throw new ArgumentException($"invalid container id '{id}'", nameof(id));
        }
    }

    /// <summary>runc and crun both keep a container's state in the folder <c>Root/ID</c>.</summary>
    private bool Exists(string id) => Directory.Exists(Path.Combine(Root, id));

    private void Check(RunResult result, string command, string id)
    {
        if (result.ExitCode == 0)
        {
            return;
        }

        var said = ParseLog(result.Errors);
        var message = $"{Name} {command} {id} failed (exit code {result.ExitCode}): {said}";
        if (command != "create" && !Exists(id))
        {
            throw new OciContainerNotFoundException(message, result.ExitCode, said);
        }

        throw new OciRuntimeException(message, result.ExitCode, said);
    }

    /// <summary>
    /// Turns the runtime's stderr into its words: the <c>msg</c> of each JSON log line (runc's
    /// <c>{"level":"error","msg":...}</c>, crun's <c>{"msg":...,"level":"error"}</c>), any other
    /// line as it is.
    /// </summary>
    internal static string ParseLog(string errors)
    {
        var lines = new List<string>();
        foreach (var raw in errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string? msg = null;
            if (raw.StartsWith('{'))
            {
                try
                {
                    using var doc = JsonDocument.Parse(raw);
                    if (doc.RootElement.TryGetProperty("msg", out var m) && m.ValueKind == JsonValueKind.String)
                    {
                        msg = m.GetString();
                    }
                }
                catch (JsonException)
                {
                }
            }

            lines.Add(msg ?? raw);
        }

        return lines.Count == 0 ? "(no message)" : string.Join("; ", lines);
    }

    private async Task<RunResult> RunAsync(List<string> args, bool containerKeepsStdio, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("--root");
        start.ArgumentList.Add(Root);
        start.ArgumentList.Add("--log-format=json");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var commandLine = $"{Name} {string.Join(' ', args)}";
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new OciRuntimeException($"{commandLine}: cannot run {BinaryPath}: {e.Message}", e);
        }

        using var readers = new CancellationTokenSource();
        try
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(readers.Token);
            var errors = process.StandardError.ReadToEndAsync(readers.Token);

            using var deadline = new CancellationTokenSource(Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
            try
            {
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new OciRuntimeException($"{commandLine}: no answer within {Timeout.TotalSeconds:0.#} s");
            }

            var exitCode = process.ExitCode;

            // After a successful create the container holds the other ends of our pipes, so they
            // reach end-of-file only when it exits: take what is there and close them.
            var grace = exitCode == 0 && containerKeepsStdio ? TimeSpan.Zero : OutputGrace;
            return new RunResult(
                exitCode,
                await TakeAsync(output, grace).ConfigureAwait(false),
                await TakeAsync(errors, grace).ConfigureAwait(false));
        }
        finally
        {
            await readers.CancelAsync().ConfigureAwait(false);
            if (!process.HasExited)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited between the check and the kill.
                }
            }
        }
    }

    private async Task<string> TakeAsync(Task<string> read, TimeSpan grace)
    {
        try
        {
            return await read.WaitAsync(grace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return "";
        }
    }

    private readonly record struct RunResult(int ExitCode, string Output, string Errors);
}
