using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using CriO.Storage.Interop;
using CriO.Conmon.Client.Interop;

namespace CriO.Conmon.Client;

/// <summary>
/// Starts one conmon for one container, as CRI-O does, and waits (bounded) until the runtime's
/// create has returned. The handshake:
/// <code>
/// daemon                                  conmon                      runtime
///   pipe2 x2, posix_spawn ───────────────▶ fd 3 = sync (write end), _OCI_SYNCPIPE=3
///                                          fd 4 = start (read end), _OCI_STARTPIPE=4
///   [place conmon in a cgroup]
///   write 1 byte on start pipe ──────────▶ forks; the first process exits (reaped here)
///                                          writes -P, runs `runtime create` ──▶ creates
///   read sync pipe  ◀──────────────────── {"pid": N}  or  {"pid": -1, "message": "..."}
/// </code>
/// The daemon then runs the runtime's <c>start</c> itself; conmon stays the container's parent,
/// writes the CRI log and, on exit, the exit file (see <see cref="ExitFile"/>).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ConmonLauncher
{
    /// <summary>The descriptor conmon finds the sync pipe on (CRI-O uses 3).</summary>
    public const int SyncPipeFd = 3;

    /// <summary>The descriptor conmon finds the start pipe on (CRI-O uses 4).</summary>
    public const int StartPipeFd = 4;

    // Polls start at 1 ms and double up to this: conmon answers within a few milliseconds on an
    // idle node, and a fixed 10 ms step added up to a fifth of CreateContainer's time.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    private const int SyncWaitMilliseconds = 100;

    private static TimeSpan NextPoll(TimeSpan current) =>
        current * 2 < PollInterval ? current * 2 : PollInterval;
    private const int MaxSyncMessageBytes = 1 << 20;

    private readonly TimeProvider _time;

    public ConmonLauncher(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Starts the monitor and returns once the container is created (not started). Throws
    /// <see cref="MonitorStartException"/> with the runtime's message when create fails, or when
    /// <paramref name="timeout"/> passes; on any failure the monitor is killed.
    /// <paramref name="placeMonitor"/>, if given, runs with conmon's pid before conmon may go on
    /// (the daemon puts it in its cgroup there).
    /// </summary>
    public async Task<MonitorStarted> StartAsync(
        MonitorOptions options,
        TimeSpan timeout,
        Func<int, CancellationToken, Task>? placeMonitor = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var activity = ConmonActivitySource.Instance.StartActivity("conmon start");
        activity?.SetTag("container.id", options.ContainerId);
        Directory.CreateDirectory(options.ExitDirectory);
        Directory.CreateDirectory(options.SocketDirectory);
        if (options.PersistDirectory is { } persist)
        {
            Directory.CreateDirectory(persist);
        }

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var token = linked.Token;

        var (syncRead, syncWriteLow) = PipeCalls.CreatePipe();
        using var syncReadEnd = syncRead;
        SafeFd? syncWrite = null;
        SafeFd? startRead = null;
        SafeFd? startWrite = null;
        var firstPid = 0;
        var firstReaped = false;
        try
        {
            syncWrite = PipeCalls.MoveHigh(syncWriteLow);
            var (startReadLow, startWriteEnd) = PipeCalls.CreatePipe();
            startWrite = startWriteEnd;
            startRead = PipeCalls.MoveHigh(startReadLow);
            PipeCalls.SetNonBlocking(syncReadEnd);

            var environment = new List<string>(options.Environment)
            {
                "_OCI_SYNCPIPE=" + SyncPipeFd.ToString(CultureInfo.InvariantCulture),
                "_OCI_STARTPIPE=" + StartPipeFd.ToString(CultureInfo.InvariantCulture),
            };
            firstPid = PosixSpawn.Spawn(
                options.ConmonPath,
                ConmonCommandLine.Build(options),
                environment,
                options.BundlePath,
                [(syncWrite, SyncPipeFd), (startRead, StartPipeFd)]);

            // Only conmon may hold these ends now: EOF on the sync pipe then means conmon is gone.
            syncWrite.Dispose();
            startRead.Dispose();

            if (placeMonitor is not null)
            {
                await placeMonitor(firstPid, token).ConfigureAwait(false);
            }

            try
            {
                PipeCalls.WriteAll(startWrite, [0], "conmon start pipe");
            }
            catch (IOException e) when (e.HResult == Tmds.Linux.LibC.EPIPE)
            {
                // conmon died before reading it; the sync pipe's EOF below says so with its exit status.
            }

            startWrite.Dispose();

            var firstExit = await WaitForFirstProcessAsync(firstPid, token).ConfigureAwait(false);
            firstReaped = true;

            var message = await ReadSyncMessageAsync(syncReadEnd, options, firstExit, token).ConfigureAwait(false);
            if (message.Pid <= 0)
            {
                // conmon relays the runtime's stderr as is, trailing newline included.
                var runtimeMessage = message.Message?.TrimEnd('\n', '\r', ' ');
                throw string.IsNullOrEmpty(runtimeMessage)
                    ? new MonitorStartException("container create failed", runtimeMessage)
                    : new MonitorStartException($"container create failed: {runtimeMessage}", runtimeMessage);
            }

            return new MonitorStarted(message.Pid, MonitorFiles.ReadPid(options.ConmonPidFile));
        }
        catch (Exception e) when (e is not MonitorStartException)
        {
            KillMonitor(options, firstPid, firstReaped);
            if (e is OperationCanceledException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new MonitorStartException($"conmon for {options.ContainerId} did not report the container pid within {timeout}", e);
            }

            throw;
        }
        catch (MonitorStartException)
        {
            KillMonitor(options, firstPid, firstReaped);
            throw;
        }
        finally
        {
            syncWrite?.Dispose();
            startRead?.Dispose();
            startWrite?.Dispose();
        }
    }

    /// <summary>conmon's first process forks and exits quickly; reap it (bounded by the caller's token).</summary>
    private async Task<int?> WaitForFirstProcessAsync(int pid, CancellationToken cancellationToken)
    {
        var poll = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            switch (ProcessCalls.TryReap(pid, out var status))
            {
                case ProcessCalls.WaitOutcome.Exited:
                    return status;
                case ProcessCalls.WaitOutcome.Gone:
                    return null;
                default:
                    await Task.Delay(poll, _time, cancellationToken).ConfigureAwait(false);
                    poll = NextPoll(poll);
                    break;
            }
        }
    }

    /// <summary>Reads one JSON line from the sync pipe; EOF before it means conmon died.</summary>
    private async Task<SyncMessage> ReadSyncMessageAsync(
        SafeFd syncRead, MonitorOptions options, int? firstExit, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var n = PipeCalls.ReadAvailable(syncRead, buffer);
            if (n > 0)
            {
                received.AddRange(buffer.AsSpan(0, n));
                var newline = received.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    return Parse(Encoding.UTF8.GetString(received.GetRange(0, newline).ToArray()));
                }

                if (received.Count > MaxSyncMessageBytes)
                {
                    throw new MonitorStartException($"conmon for {options.ContainerId} sent an oversized sync message");
                }

                continue;
            }

            if (n == 0)
            {
                if (received.Count > 0)
                {
                    return Parse(Encoding.UTF8.GetString(received.ToArray()));
                }

                var status = firstExit is { } code ? $" (its first process exited with {code})" : "";
                throw new MonitorStartException(
                    $"conmon for {options.ContainerId} exited before reporting the container pid{status}");
            }

            // Woken by the message or by conmon's end, not by a timer: this wait is most of
            // CreateContainer. A short bound keeps the caller's token checked in between.
            await Task.Run(() => PipeCalls.WaitReadable(syncRead, SyncWaitMilliseconds), cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Parses the sync message. conmon builds it with printf; older versions escape the runtime's
    /// message only partly, so a line that is not valid JSON is read field by field.
    /// </summary>
    internal static SyncMessage Parse(string line)
    {
        try
        {
            var message = JsonSerializer.Deserialize(line, ConmonJsonContext.Default.SyncMessage);
            if (message is not null)
            {
                return message;
            }
        }
        catch (JsonException)
        {
        }

        const string pidKey = "\"pid\":";
        var at = line.IndexOf(pidKey, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new MonitorStartException($"conmon sent an unreadable sync message: {line}");
        }

        var digits = line.AsSpan(at + pidKey.Length).TrimStart();
        var length = 0;
        while (length < digits.Length && (char.IsAsciiDigit(digits[length]) || (length == 0 && digits[0] == '-')))
        {
            length++;
        }

        if (!int.TryParse(digits[..length], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var pid))
        {
            throw new MonitorStartException($"conmon sent an unreadable sync message: {line}");
        }

        const string messageKey = "\"message\": \"";
        var start = line.IndexOf(messageKey, StringComparison.Ordinal);
        var end = line.LastIndexOf("\"}", StringComparison.Ordinal);
        string? text = start >= 0 && end > start + messageKey.Length - 1
            ? line[(start + messageKey.Length)..end]
            : null;
        return new SyncMessage(pid, text);
    }

    /// <summary>Kills what may be left of a failed start: conmon's first process and the monitor from its -P file.</summary>
    private static void KillMonitor(MonitorOptions options, int firstPid, bool firstReaped)
    {
        if (firstPid > 0 && !firstReaped)
        {
            ProcessCalls.Kill(firstPid);

            // Reap it so no zombie is left; it dies at once on SIGKILL, so a short bounded spin.
            for (var i = 0; i < 100 && ProcessCalls.TryReap(firstPid, out _) == ProcessCalls.WaitOutcome.Running; i++)
            {
                Thread.Sleep(10);
            }
        }

        if (MonitorFiles.ReadPid(options.ConmonPidFile) is { } conmonPid)
        {
            ProcessCalls.Kill(conmonPid);
        }
    }
}
