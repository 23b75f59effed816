using System.Net.Sockets;
using System.Text;
using CriO.Conmon.Client.Interop;
using Xunit.Abstractions;

namespace CriO.Conmon.Client.Tests;

/// <summary>
/// One scenario, run under Debian's conmon and under crio-conmon, and what each leaves compared:
/// the files in the bundle, exit and persist folders, the exit codes written, the CRI log records,
/// and what an attach client reads and sends. The two must be interchangeable for the daemon.
/// </summary>
public sealed class MonitorProtocolTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [ConmonFact]
    public async Task Both_monitors_leave_the_same_files_exit_codes_and_log_records()
    {
        var upstream = await RunToExitAsync(ConmonFactAttribute.Conmon);
        var ours = await RunToExitAsync(ConmonFactAttribute.CrioConmon);

        output.WriteLine("upstream:\n" + upstream);
        output.WriteLine("crio-conmon:\n" + ours);
        Assert.Equal(upstream.Files, ours.Files);
        Assert.Equal(upstream.ExitFile, ours.ExitFile);
        Assert.Equal(upstream.PersistExit, ours.PersistExit);
        Assert.Equal(upstream.Records, ours.Records);
        Assert.Equal(upstream.TimestampShape, ours.TimestampShape);
    }

    [ConmonFact]
    public async Task Both_monitors_frame_attach_output_alike_and_take_stdin_from_it()
    {
        var upstream = await AttachAsync(ConmonFactAttribute.Conmon);
        var ours = await AttachAsync(ConmonFactAttribute.CrioConmon);

        output.WriteLine($"upstream: {string.Join(" | ", upstream)}\ncrio-conmon: {string.Join(" | ", ours)}");
        Assert.Contains("2:got hello", upstream);
        Assert.Contains("3:to stderr", upstream);
        Assert.Equal(upstream.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
    }

    // The daemon shuts down its side of the attach socket when its client's stdin ends: for a
    // stdin_once container that is the container's EOF, and what it prints afterwards must
    // still reach the client, whose session ends only with the container.
    [ConmonFact]
    public async Task Both_monitors_keep_sending_output_to_a_client_that_has_finished_its_input()
    {
        var upstream = await HalfClosedAttachAsync(ConmonFactAttribute.Conmon);
        var ours = await HalfClosedAttachAsync(ConmonFactAttribute.CrioConmon);

        output.WriteLine($"upstream: {string.Join(" | ", upstream)}\ncrio-conmon: {string.Join(" | ", ours)}");
        Assert.Equal(["2:late x"], upstream);
        Assert.Equal(upstream, ours);
    }

    [ConmonFact]
    public async Task Both_monitors_give_a_terminal_its_size_and_input_and_log_its_output()
    {
        var upstream = await TerminalAsync(ConmonFactAttribute.Conmon);
        var ours = await TerminalAsync(ConmonFactAttribute.CrioConmon);

        output.WriteLine($"upstream: {upstream}\ncrio-conmon: {ours}");
        Assert.Contains("Stdout F 40 100", upstream, StringComparison.Ordinal);
        Assert.Contains("got hi", upstream, StringComparison.Ordinal);
        Assert.Equal(upstream, ours);
    }

    [ConmonTheory]
    [MemberData(nameof(ConmonFactAttribute.Monitors), MemberType = typeof(ConmonFactAttribute))]
    public async Task The_exit_command_runs_with_its_arguments_once_the_exit_file_is_written(string monitor)
    {
        await using var bundle = TestBundle.CreateFor(monitor, "/busybox", "sh", "-c", "exit 4");
        var marker = Path.Join(bundle.Root, "exit-command-ran");
        var exitFile = MonitorFiles.ExitFile(bundle.Options.ExitDirectory, bundle.Id);
        var options = bundle.Options with
        {
            ExitCommand = "/bin/sh",
            ExitCommandArguments = ["-c", $"cat {exitFile} > {marker}.tmp && mv {marker}.tmp {marker}", "exit-command"],
        };
        var started = await new ConmonLauncher().StartAsync(options, Bound);
        Assert.True((await bundle.RuncAsync("start", bundle.Id)).ExitCode == 0);

        Assert.Equal(4, await ExitFile.WaitForExitAsync(options.ExitDirectory, bundle.Id, Bound));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(marker))
        {
            Assert.True(watch.Elapsed < Bound, "the exit command ran");
            await Task.Delay(20);
        }

        Assert.Equal("4", (await File.ReadAllTextAsync(marker)).Trim());
        Assert.True(await TestBundle.WaitGoneAsync(started.ConmonPid!.Value));
    }

    [ConmonFact]
    public async Task Both_monitors_mark_an_OOM_kill_beside_the_exit_code()
    {
        var upstream = await OomAsync(ConmonFactAttribute.Conmon);
        var ours = await OomAsync(ConmonFactAttribute.CrioConmon);

        output.WriteLine($"upstream: {upstream}\ncrio-conmon: {ours}");
        Assert.Equal("exit 137, persist: exit oom", upstream);
        Assert.Equal(upstream, ours);
    }

    private static async Task<string> OomAsync(string monitor)
    {
        await using var bundle = TestBundle.CreateFor(monitor, "/busybox", "sh", "-c", "/busybox head -c 300000000 /dev/zero | /busybox tail");
        var config = Path.Join(bundle.BundlePath, "config.json");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config))
            .Replace("\"resources\": {", "\"resources\": { \"memory\": { \"limit\": 33554432, \"swap\": 33554432 },", StringComparison.Ordinal));
        var started = await new ConmonLauncher().StartAsync(bundle.Options, Bound);
        Assert.True((await bundle.RuncAsync("start", bundle.Id)).ExitCode == 0);
        var code = await ExitFile.WaitForExitAsync(bundle.Options.ExitDirectory, bundle.Id, Bound);
        Assert.True(await TestBundle.WaitGoneAsync(started.ConmonPid!.Value));
        var persist = Directory.GetFiles(bundle.Options.PersistDirectory!).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        return $"exit {code}, persist: {string.Join(' ', persist)}";
    }

    [ConmonFact]
    public async Task Both_monitors_run_an_exec_to_its_exit_code_log_its_output_and_kill_it_at_the_timeout()
    {
        await using var bundle = TestBundle.CreateFor(ConmonFactAttribute.Conmon, "/busybox", "sleep", "600");
        await new ConmonLauncher().StartAsync(bundle.Options, Bound);
        Assert.True((await bundle.RuncAsync("start", bundle.Id)).ExitCode == 0);

        foreach (var (args, extra) in new (string, string[])[]
        {
            ("\"/busybox\", \"sh\", \"-c\", \"echo hello; echo oops >&2; exit 3\"", ["--sync"]),
            ("\"/busybox\", \"sh\", \"-c\", \"echo started; exec /busybox sleep 30\"", ["-T", "1"]),
            ("\"/no-such-binary\"", []),
        })
        {
            var upstream = await ExecAsync(bundle, ConmonFactAttribute.Conmon, args, extra);
            var ours = await ExecAsync(bundle, ConmonFactAttribute.CrioConmon, args, extra);
            output.WriteLine($"upstream: {upstream}\ncrio-conmon: {ours}");
            Assert.Equal(upstream, ours);
        }
    }

    // One exec-mode monitor as CRI-O's ExecSync starts it; its exit status, sync pipe message
    // (the runtime's timestamps blanked) and log records.
    private static async Task<string> ExecAsync(TestBundle bundle, string monitor, string args, string[] extra)
    {
        var folder = Path.Join(bundle.Root, "exec-" + Path.GetFileName(monitor));
        Directory.CreateDirectory(folder);
        var spec = Path.Join(folder, "process.json");
        await File.WriteAllTextAsync(spec, $$"""{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": [{{args}}], "env": ["PATH=/"], "cwd": "/"}""");
        var log = Path.Join(folder, "exec.log");
        string[] line =
        [
            "-c", bundle.Id, "-n", bundle.Options.Name, "-r", bundle.Options.RuntimePath, "-p", Path.Join(folder, "exec.pid"), "-e", "-l", log,
            "--socket-dir-path", bundle.Options.SocketDirectory, "--log-level", "error", "--exec-process-spec", spec,
            "--runtime-arg", "--root=" + bundle.Options.RuntimeRoot, .. extra,
        ];
        var (read, write) = PipeCalls.CreatePipe();
        using var syncRead = read;
        int pid;
        using (var child = PipeCalls.MoveHigh(write))
        {
            pid = PosixSpawn.Spawn(monitor, line, ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "_OCI_SYNCPIPE=3"], bundle.BundlePath, [(child, 3)]);
        }

        var message = new StringBuilder();
        var buffer = new byte[4096];
        int n;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            PipeCalls.WaitReadable(syncRead, 1000);
            n = PipeCalls.ReadAvailable(syncRead, buffer);
            if (n == 0)
            {
                break;
            }

            message.Append(Encoding.UTF8.GetString(buffer, 0, Math.Max(n, 0)));
            Assert.True(watch.Elapsed < Bound, "the exec monitor answered in time");
        }

        int waited;
        while (ProcessCalls.TryReap(pid, out waited) == ProcessCalls.WaitOutcome.Running)
        {
            Assert.True(watch.Elapsed < Bound, "the exec monitor exited in time");
            await Task.Delay(10);
        }

        var records = File.Exists(log)
            ? string.Join(" | ", (await CriLogParser.ReadFileAsync(log)).OrderBy(e => e.Stream).Select(e => $"{e.Stream} {(e.Partial ? "P" : "F")} {e.Text}"))
            : "no log";
        var sync = System.Text.RegularExpressions.Regex.Replace(message.ToString(), "time=[^ ]+", "time=T");
        return $"status {waited} sync {sync.Trim()} log {records}";
    }

    private sealed record Outcome(string Files, string? ExitFile, string? PersistExit, string Records, string TimestampShape)
    {
        public override string ToString() => $"files: {Files}\nexit: {ExitFile}; persist/exit: {PersistExit}\nrecords: {Records}\ntimestamp: {TimestampShape}";
    }

    private async Task<Outcome> RunToExitAsync(string monitor)
    {
        await using var bundle = TestBundle.CreateFor(monitor, "/busybox", "sh", "-c", "echo out; echo err >&2; printf 'two\\nlines\\n'; printf partial; exit 7");
        var started = await new ConmonLauncher().StartAsync(bundle.Options, Bound);
        Assert.True((await bundle.RuncAsync("start", bundle.Id)).ExitCode == 0);
        await ExitFile.WaitForExitAsync(bundle.Options.ExitDirectory, bundle.Id, Bound);
        Assert.True(await TestBundle.WaitGoneAsync(started.ConmonPid!.Value), "the monitor exits after its container");

        var files = Directory.GetFileSystemEntries(bundle.Root, "*", SearchOption.AllDirectories)
            .Where(p => !p.Contains("/rootfs", StringComparison.Ordinal) && !p.Contains("/runc", StringComparison.Ordinal))
            .Select(p => p[bundle.Root.Length..].Replace(bundle.Id, "ID", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        var persistExit = Path.Join(bundle.Options.PersistDirectory, "exit");
        var log = await File.ReadAllLinesAsync(bundle.Options.LogPath);
        // Per stream, in order: how stdout and stderr interleave depends on when each was read.
        var records = (await CriLogParser.ReadFileAsync(bundle.Options.LogPath))
            .OrderBy(e => e.Stream)
            .Select(e => $"{e.Stream} {(e.Partial ? "P" : "F")} {e.Text}");
        return new Outcome(
            string.Join(", ", files),
            await File.ReadAllTextAsync(MonitorFiles.ExitFile(bundle.Options.ExitDirectory, bundle.Id)),
            File.Exists(persistExit) ? await File.ReadAllTextAsync(persistExit) : null,
            string.Join(" | ", records),
            // 2026-11-29T16:40:00.123456789+00:00: digits as 9, the rest as it is.
            new string(log[0].Split(' ')[0].Select(c => char.IsAsciiDigit(c) ? '9' : c).ToArray()));
    }

    // A tty container: the size set through ctl before start, a line typed through attach (the
    // size is asked for only after it, so the resize has long reached the terminal); the
    // log's records with the terminal's carriage returns shown.
    private static async Task<string> TerminalAsync(string monitor)
    {
        await using var bundle = TestBundle.CreateFor(monitor, "/busybox", "sh", "-c", "read x; /busybox stty size; echo got $x");
        var config = Path.Join(bundle.BundlePath, "config.json");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config)).Replace("\"terminal\": false", "\"terminal\": true", StringComparison.Ordinal));
        var options = bundle.Options with { Terminal = true };
        var started = await new ConmonLauncher().StartAsync(options, Bound);
        await ControlFifo.ResizeAsync(MonitorFiles.ControlFifo(options), 40, 100);

        using var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(MonitorFiles.AttachSocket(options)));
        Assert.True((await bundle.RuncAsync("start", bundle.Id)).ExitCode == 0);
        await Task.Delay(300);
        await socket.SendAsync(Encoding.ASCII.GetBytes("hi\n"));

        Assert.Equal(0, await ExitFile.WaitForExitAsync(options.ExitDirectory, bundle.Id, Bound));
        Assert.True(await TestBundle.WaitGoneAsync(started.ConmonPid!.Value));
        var records = (await CriLogParser.ReadFileAsync(options.LogPath)).Select(e => $"{e.Stream} {(e.Partial ? "P" : "F")} {e.Text.Replace("\r", "\\r", StringComparison.Ordinal)}");
        return string.Join(" | ", records);
    }

    private Task<List<string>> AttachAsync(string monitor) =>
        StdinOnceAttachAsync(monitor, "read line; echo got $line; echo to stderr >&2", "hello\n", finishInput: false, packets: 2);

    private Task<List<string>> HalfClosedAttachAsync(string monitor) =>
        StdinOnceAttachAsync(monitor, "read line; sleep 1; echo late $line", "x\n", finishInput: true, packets: int.MaxValue);

    /// <summary>
    /// A stdin_once container running <paramref name="script"/> under <paramref name="monitor"/>,
    /// attached before it starts: sends <paramref name="input"/> (then shuts down the client's
    /// writing side when <paramref name="finishInput"/>), reads up to <paramref name="packets"/>
    /// packets or until the monitor closes the socket, and waits for the container's exit 0.
    /// </summary>
    private async Task<List<string>> StdinOnceAttachAsync(string monitor, string script, string input, bool finishInput, int packets)
    {
        await using var bundle = TestBundle.CreateFor(monitor, "/busybox", "sh", "-c", script);
        var options = bundle.Options with { Stdin = true, StdinOnce = true };
        var started = await new ConmonLauncher().StartAsync(options, Bound);

        using var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(MonitorFiles.AttachSocket(options)));
        Assert.True((await bundle.RuncAsync("start", bundle.Id)).ExitCode == 0);
        await socket.SendAsync(Encoding.ASCII.GetBytes(input));
        if (finishInput)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        var received = new List<string>();
        var buffer = new byte[8193];
        using var timeout = new CancellationTokenSource(Bound);
        int n;
        while (received.Count < packets && (n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Add($"{buffer[0]}:{Encoding.ASCII.GetString(buffer, 1, n - 1).TrimEnd('\n')}");
        }

        Assert.Equal(0, await ExitFile.WaitForExitAsync(options.ExitDirectory, bundle.Id, Bound));
        Assert.True(await TestBundle.WaitGoneAsync(started.ConmonPid!.Value));
        return received;
    }
}
