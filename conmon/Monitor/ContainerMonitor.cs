using System.Globalization;
using System.Text;
using CriO.Conmon.Client.Interop;
using CriO.Conmon.Monitor.Interop;
using CriO.Storage.Interop;

namespace CriO.Conmon.Monitor;

/// <summary>
/// A container's monitor once it is on its own (the daemon stage): has the runtime create the
/// container with stdio pipes it holds, tells the daemon the pid (or the runtime's error) on the
/// sync pipe, then serves one epoll loop until the container exits — log records, attach
/// clients, control FIFO messages — and leaves the exit code (and an OOM mark) in its files.
/// </summary>
internal sealed class ContainerMonitor(MonitorCommandLine options, SafeFd? syncPipe)
{
    /// <summary>How much of a stream one read takes (upstream conmon's STDIO_BUF_SIZE).</summary>
    public const int ReadSize = 8192;

    private const ulong StdoutToken = 1;
    private const ulong StderrToken = 2;
    private const ulong ExitToken = 3;
    private const ulong ControlToken = 4;
    private const ulong AttachToken = 5;
    private const ulong ClientTokenBase = 1000;

    private readonly byte[] _buffer = new byte[ReadSize];
    private SafeFd? _stdout;
    private SafeFd? _stderr;
    private SafeFd? _stdin;
    private SafeFd? _terminal;

    /// <summary>
    /// Runs the container's whole life (or, in exec mode, the exec'd process's); the process's
    /// exit code.
    /// </summary>
    public int Run()
    {
        MonitorCalls.BecomeSubreaper();
        var exec = options.Exec;

        // An exec monitor has no control FIFO or attach socket of its own (the container's
        // monitor keeps those); it only logs and times the process.
        var control = Path.Join(options.BundlePath, exec ? "" : "ctl");
        if (!exec)
        {
            MonitorCalls.MakeFifo(control);
            MonitorCalls.MakeFifo(Path.Join(options.BundlePath, "winsz"));
        }

        using var controlRead = exec ? null : MonitorCalls.OpenFifo(control);
        // Held so that the FIFO never reads as closed between two writers.
        using var controlKeepOpen = exec ? null : MonitorCalls.OpenFifo(control, write: true);
        using var attach = exec ? null : new AttachServer(options.BundlePath, options.SocketDirectory, options.Uuid, options.FullAttach);
        using var log = new CriLogWriter(options.LogPath, options.LogSizeMax);

        var containerPid = StartProcess();
        if (containerPid <= 0)
        {
            return exec ? 0 : 1;
        }

        var oom = exec ? null : new OomCounter(containerPid);
        using var epoll = MonitorCalls.EpollCreate();
        using var exited = MonitorCalls.PidfdOpen(containerPid);
        MonitorCalls.EpollAdd(epoll, _stdout!.Number, StdoutToken);
        MonitorCalls.EpollAdd(epoll, _stderr!.Number, StderrToken);
        MonitorCalls.EpollAdd(epoll, exited.Number, ExitToken);
        if (controlRead is not null && attach is not null)
        {
            MonitorCalls.EpollAdd(epoll, controlRead.Number, ControlToken);
            MonitorCalls.EpollAdd(epoll, attach.Listener.Number, AttachToken);
        }

        var clients = new Dictionary<ulong, SafeFd>();
        var nextClient = ClientTokenBase;
        Span<ulong> ready = stackalloc ulong[16];
        int? status = null;
        var deadline = options.TimeoutSeconds > 0 ? Environment.TickCount64 + (options.TimeoutSeconds * 1000L) : long.MaxValue;
        var timedOut = false;
        while (status is null)
        {
            var wait = deadline == long.MaxValue || timedOut ? -1 : (int)Math.Clamp(deadline - Environment.TickCount64, 0, int.MaxValue);
            var count = MonitorCalls.EpollWait(epoll, ready, wait);
            if (count == 0 && !timedOut && Environment.TickCount64 >= deadline)
            {
                // The exec's timeout: kill it; its exit, which follows, ends the loop.
                timedOut = true;
                MonitorCalls.Kill(containerPid);
            }

            for (var i = 0; i < count; i++)
            {
                switch (ready[i])
                {
                    case StdoutToken:
                        Drain(ref _stdout, epoll, AttachServer.StdoutStream, log, attach, once: true);
                        break;
                    case StderrToken:
                        Drain(ref _stderr, epoll, AttachServer.StderrStream, log, attach, once: true);
                        break;
                    case ExitToken:
                        status ??= MonitorCalls.Wait(containerPid, out var raw, block: true) == containerPid ? raw : 0;
                        break;
                    case ControlToken:
                        HandleControl(controlRead!, log);
                        break;
                    case AttachToken:
                        while (attach!.Accept() is { } client)
                        {
                            clients[nextClient] = client;
                            MonitorCalls.EpollAdd(epoll, client.Number, nextClient++);
                        }

                        break;
                    case var token when clients.TryGetValue(token, out var client):
                        if (!ForwardInput(client))
                        {
                            // EOF: the client has closed, or only shut down its input; either way it
                            // sends no more, and output goes on reaching it while it is there.
                            MonitorCalls.EpollRemove(epoll, client.Number);
                            clients.Remove(token);
                            attach!.EndInput(client);
                            if (!options.LeaveStdinOpen && _terminal is null)
                            {
                                // stdin_once: the first attach session's end is the container's EOF
                                // (a terminal has no EOF to give; it stays for the next session).
                                _stdin?.Dispose();
                                _stdin = null;
                            }
                        }

                        break;
                }
            }

            // Orphans handed to this subreaper (a container sharing the host's PID namespace) are
            // reaped as they come; the container itself may be among them when it has just exited.
            int reaped;
            while ((reaped = MonitorCalls.Wait(-1, out var orphanStatus, block: false)) > 0)
            {
                if (reaped == containerPid)
                {
                    status = orphanStatus;
                }
            }
        }

        // What the container wrote last is still in the pipes; the writers may outlive it (a
        // shared PID namespace), so read what is there and no more.
        Drain(ref _stdout, epoll, AttachServer.StdoutStream, log, attach, once: false);
        Drain(ref _stderr, epoll, AttachServer.StderrStream, log, attach, once: false);
        if (!options.NoSyncLog)
        {
            log.Sync();
        }

        var exitCode = MonitorCalls.ExitCode(status.Value);
        if (exec)
        {
            // What upstream's exec mode answers: the exit code, or -1 with why.
            WriteExecResult(timedOut ? -1 : exitCode, timedOut ? "command timed out" : null);
            return options.Sync && !timedOut ? exitCode : 0;
        }

        Finish(exitCode, oom!.Killed);
        return 0;
    }

    /// <summary>
    /// Runs the runtime's create (or, in exec mode, its detached exec); the process's pid, or 0
    /// after telling the daemon why not.
    /// </summary>
    private int StartProcess()
    {
        var (stdoutRead, stdoutWrite) = PipeCalls.CreatePipe();
        var (stderrRead, stderrWrite) = PipeCalls.CreatePipe();
        _stdout = stdoutRead;
        _stderr = stderrRead;
        SafeFd? stdinRead = null;
        if (options.Stdin)
        {
            (stdinRead, _stdin) = PipeCalls.CreatePipe();
            PipeCalls.SetNonBlocking(_stdin);
        }

        PipeCalls.SetNonBlocking(stdoutRead);
        PipeCalls.SetNonBlocking(stderrRead);
        var args = new List<string>(options.RuntimeArguments);
        if (options.SystemdCgroup)
        {
            args.Add("--systemd-cgroup");
        }

        if (options.Exec)
        {
            args.AddRange(["exec", "--pid-file", options.ContainerPidFile, "--process", options.ExecProcessSpec, "--detach"]);
        }
        else
        {
            args.AddRange(["create", "--bundle", options.BundlePath, "--pid-file", options.ContainerPidFile]);
        }

        if (options.NoPivot && !options.Exec)
        {
            args.Add("--no-pivot");
        }

        // With a terminal the runtime makes the pty and sends its master over a console socket,
        // in a short folder of its own (sun_path is 108 bytes).
        DirectoryInfo? consoleFolder = null;
        SafeFd? console = null;
        if (options.Terminal)
        {
            consoleFolder = Directory.CreateTempSubdirectory("crio-conmon-term-");
            var consolePath = Path.Join(consoleFolder.FullName, "console.sock");
            console = SocketCalls.ListenStream(consolePath);
            args.AddRange(["--console-socket", consolePath]);
        }

        args.AddRange(options.RuntimeOptions);
        args.Add(options.ContainerId);

        int runtimePid;
        using (var childOut = PipeCalls.MoveHigh(stdoutWrite))
        using (var childErr = PipeCalls.MoveHigh(stderrWrite))
        using (var childIn = stdinRead is null ? null : PipeCalls.MoveHigh(stdinRead))
        {
            var inherit = new List<(SafeFd, int)> { (childOut, 1), (childErr, 2) };
            if (childIn is not null)
            {
                inherit.Add((childIn, 0));
            }

            try
            {
                runtimePid = PosixSpawn.Spawn(options.RuntimePath, args, MonitorEnvironment.Inherited(), options.BundlePath, inherit);
            }
            catch (IOException e)
            {
                Report(-1, e.Message);
                return 0;
            }
        }

        MonitorCalls.Wait(runtimePid, out var status, block: true);
        if (console is not null)
        {
            using (console)
            {
                if (MonitorCalls.ExitCode(status) == 0)
                {
                    TakeTerminal(console);
                }
            }

            consoleFolder!.Delete(recursive: true);
            if (MonitorCalls.ExitCode(status) == 0 && _terminal is null)
            {
                Report(-1, "the runtime sent no terminal over the console socket");
                return 0;
            }
        }

        if (MonitorCalls.ExitCode(status) != 0)
        {
            var message = new StringBuilder();
            AppendAvailable(_stderr, message);
            AppendAvailable(_stdout, message);
            Report(-1, message.Length > 0 ? message.ToString() : $"{options.RuntimePath} create exited with status {MonitorCalls.ExitCode(status)}");
            return 0;
        }

        var pidText = File.Exists(options.ContainerPidFile) ? File.ReadAllText(options.ContainerPidFile).Trim() : "";
        if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            Report(-1, $"the runtime wrote no container pid to {options.ContainerPidFile}");
            return 0;
        }

        if (!options.Exec)
        {
            Report(pid, null);
        }

        return pid;
    }

    /// <summary>
    /// Takes the terminal master the runtime sent: from now on the container's output is read
    /// from it (as stdout, a terminal has no stderr) and its input written to it.
    /// </summary>
    private void TakeTerminal(SafeFd console)
    {
        using var connection = SocketCalls.AcceptWithin(console, 1000);
        if (connection is null || SocketCalls.ReceiveDescriptor(connection) is not { } master)
        {
            return;
        }

        PipeCalls.SetNonBlocking(master);
        _terminal = master;
        _stdout!.Dispose();
        _stdout = MonitorCalls.Duplicate(master);
        _stdin?.Dispose();
        _stdin = MonitorCalls.Duplicate(master);
    }

    private void AppendAvailable(SafeFd? fd, StringBuilder text)
    {
        if (fd is null)
        {
            return;
        }

        int n;
        while ((n = PipeCalls.ReadAvailable(fd, _buffer)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(_buffer, 0, n));
        }
    }

    private void Report(int pid, string? message)
    {
        if (options.Exec)
        {
            WriteExecResult(-1, message);
        }
        else if (syncPipe is not null)
        {
            WriteSyncMessage(syncPipe, pid, message);
            syncPipe.Dispose();
        }
    }

    private void WriteExecResult(int exitCode, string? message)
    {
        if (syncPipe is not null)
        {
            WriteSyncMessage(syncPipe, exitCode, message, "exit_code");
            syncPipe.Dispose();
        }
    }

    /// <summary>
    /// A sync pipe message: <c>{"pid": N}</c>, or -1 with the runtime's message; in exec mode
    /// <c>{"exit_code": N}</c> with <paramref name="field"/> "exit_code".
    /// </summary>
    internal static void WriteSyncMessage(SafeFd syncPipe, int pid, string? message, string field = "pid")
    {
        var json = new StringBuilder("{\"").Append(field).Append("\": ").Append(pid.ToString(CultureInfo.InvariantCulture));
        if (message is not null)
        {
            json.Append(", \"message\": ");
            JsonString(json, message);
        }

        json.Append("}\n");
        try
        {
            PipeCalls.WriteAll(syncPipe, Encoding.UTF8.GetBytes(json.ToString()), "sync pipe");
        }
        catch (IOException)
        {
            // The daemon has gone; the container is reported through its files all the same.
        }
    }

    private static void JsonString(StringBuilder json, string text)
    {
        json.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }

        json.Append('"');
    }

    /// <summary>
    /// Reads a stream into the log and to attach clients: one read when <paramref name="once"/>
    /// (the loop comes back while there is more), else until nothing is left. At end of file the
    /// stream is closed.
    /// </summary>
    private void Drain(ref SafeFd? fd, SafeFd epoll, byte stream, CriLogWriter log, AttachServer? attach, bool once)
    {
        while (fd is not null)
        {
            int n;
            try
            {
                n = PipeCalls.ReadAvailable(fd, _buffer);
            }
            catch (IOException) when (_terminal is not null)
            {
                // A terminal master reads EIO once no process holds its other side: its end of file.
                n = 0;
            }

            if (n < 0)
            {
                return;
            }

            if (n == 0)
            {
                MonitorCalls.EpollRemove(epoll, fd.Number);
                fd.Dispose();
                fd = null;
                return;
            }

            log.Write(stream == AttachServer.StderrStream, _buffer.AsSpan(0, n));
            attach?.Broadcast(stream, _buffer.AsSpan(0, n));
            if (once)
            {
                return;
            }
        }
    }

    /// <summary>Control FIFO lines "TYPE HEIGHT WIDTH": 1 resizes the terminal, 2 reopens the log.</summary>
    private void HandleControl(SafeFd control, CriLogWriter log)
    {
        int n;
        while ((n = PipeCalls.ReadAvailable(control, _buffer)) > 0)
        {
            foreach (var line in Encoding.ASCII.GetString(_buffer, 0, n).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                switch (line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    case ["1", var height, var width] when _terminal is not null
                        && ushort.TryParse(height, NumberStyles.None, CultureInfo.InvariantCulture, out var rows)
                        && ushort.TryParse(width, NumberStyles.None, CultureInfo.InvariantCulture, out var columns):
                        SocketCalls.Resize(_terminal, rows, columns);
                        break;
                    case ["2", ..]:
                        log.Reopen();
                        break;
                }
            }
        }
    }

    /// <summary>Copies an attach client's input to the container's stdin; false when the client has gone.</summary>
    private bool ForwardInput(SafeFd client)
    {
        var n = PipeCalls.ReadAvailable(client, _buffer);
        if (n == 0)
        {
            return false;
        }

        if (n > 0 && _stdin is not null)
        {
            var data = _buffer.AsSpan(0, n);
            while (data.Length > 0)
            {
                var written = MonitorCalls.WriteSome(_stdin, data);
                if (written < 0)
                {
                    break;
                }

                data = data[written..];
            }
        }

        return true;
    }

    /// <summary>The OOM mark and the exit files, then the exit command, as upstream conmon leaves them.</summary>
    private void Finish(int exitCode, bool oomKilled)
    {
        var code = exitCode.ToString(CultureInfo.InvariantCulture);
        if (options.PersistDirectory.Length > 0)
        {
            if (oomKilled)
            {
                File.WriteAllText(Path.Join(options.PersistDirectory, "oom"), "");
            }

            WriteAtomically(Path.Join(options.PersistDirectory, "exit"), code);
        }
        else if (oomKilled)
        {
            File.WriteAllText(Path.Join(options.BundlePath, "oom"), "");
        }

        // The exit file's presence means "exited": it must never be seen half written.
        Directory.CreateDirectory(options.ExitDirectory);
        WriteAtomically(Path.Join(options.ExitDirectory, options.ContainerId), code);

        if (options.ExitCommand.Length > 0)
        {
            if (options.ExitDelaySeconds > 0)
            {
                Thread.Sleep(TimeSpan.FromSeconds(options.ExitDelaySeconds));
            }

            try
            {
                PosixSpawn.Spawn(options.ExitCommand, options.ExitCommandArguments, MonitorEnvironment.Inherited(), "/", [], newSession: true);
            }
            catch (IOException)
            {
                // Nobody to tell: the exit file is written, which is what the daemon reads.
            }
        }
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = Path.Join(Path.GetDirectoryName(path), "." + Path.GetFileName(path) + ".tmp");
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
