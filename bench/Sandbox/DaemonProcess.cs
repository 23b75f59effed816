using System.Diagnostics;
using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;

namespace CriO.Bench.Sandbox;

/// <summary>
/// A daemon under test (containerd or crio) as our child process: its output is kept (the last
/// lines, for failure messages), start-up waits for its socket within a bound, and stopping
/// sends SIGTERM, then SIGKILL after a grace period.
/// </summary>
internal sealed class DaemonProcess : IDisposable
{
    private const int KeptLines = 200;
    private readonly Process _process;
    private readonly Queue<string> _lines = new();

    private DaemonProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    /// <summary>"exited with N" once the daemon is gone, else null.</summary>
    public string? ExitText => _process.HasExited ? $"{Name} exited with {_process.ExitCode}" : null;

    /// <summary>
    /// Starts <paramref name="program"/> in a session of its own (setsid(1), which execs in
    /// place: the pid stays the daemon's), so a Ctrl-C on the terminal reaches only the benchmark,
    /// which then stops the daemon in order, after removing its pods.
    /// </summary>
    public static DaemonProcess Start(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var daemon = new DaemonProcess(process, Path.GetFileName(program));
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return daemon;
    }

    /// <summary>The last lines the daemon wrote, for a failure message.</summary>
    public string Tail(int lines = 20)
    {
        lock (_lines)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - lines)));
        }
    }

    /// <summary>Waits until <paramref name="socket"/> accepts connections; fails if the daemon exits first or the bound passes.</summary>
    public async Task WaitForSocketAsync(string socket, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before serving {socket}:\n{Tail()}");
            }

            if (File.Exists(socket) && await UnixSocketChannel.AcceptsConnectionsAsync(socket, cancellationToken))
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{Name} did not serve {socket} within {timeout.TotalSeconds:F0} s:\n{Tail()}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>SIGTERM, up to <paramref name="grace"/> to exit, then SIGKILL (bounded too). Never throws.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            await ChildProcess.RunAsync("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(5));
            using var deadline = new CancellationTokenSource(grace);
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"{Name} (pid {Pid}) did not stop on SIGTERM within {grace.TotalSeconds:F0} s: killing it");
            try
            {
                _process.Kill(entireProcessTree: true);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (Exception kill) when (kill is OperationCanceledException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"{Name} (pid {Pid}) could not be killed: {kill.Message}");
            }
        }
    }

    public void Dispose() => _process.Dispose();

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }
    }
}
