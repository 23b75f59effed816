using System.Diagnostics;
using System.Text;
using Grpc.Net.Client;

namespace CriO.E2E.Tests.Fixtures;

/// <summary>
/// The real built crio binary running as a child process, with its own temporary folder for
/// the socket, storage roots, configuration and CNI folders. Disposing kills it if it still
/// runs and removes the folder, so a failed test leaves nothing behind.
/// </summary>
internal sealed class CrioProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private GrpcChannel? _channel;

    private CrioProcess(CrioFolder folder, Process process)
    {
        Folder = folder;
        _process = process;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
    }

    public CrioFolder Folder { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public GrpcChannel Channel => _channel ??= UnixSocketChannel.Create(Folder.Socket);

    /// <summary>Everything crio wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts crio on <paramref name="folder"/> and waits until its socket answers.</summary>
    public static async Task<CrioProcess> StartAsync(CrioFolder folder, params string[] extraArguments)
    {
        var crio = Launch(folder, extraArguments);
        try
        {
            await crio.WaitUntilServingAsync().ConfigureAwait(false);
            return crio;
        }
        catch
        {
            await crio.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts crio without waiting, for tests that expect it to refuse to start.</summary>
    public static CrioProcess Launch(CrioFolder folder, params string[] extraArguments)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!File.Exists(RepositoryPaths.CrioBinary))
        {
            throw new InvalidOperationException($"crio binary not found at {RepositoryPaths.CrioBinary}; build the solution first");
        }

        var start = new ProcessStartInfo(RepositoryPaths.CrioBinary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in folder.DaemonArguments().Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in folder.Environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("crio did not start");
        var crio = new CrioProcess(folder, process);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return crio;
    }

    public void Signal(int signal) => Signals.Send(Pid, signal);

    /// <summary>Sends SIGTERM and returns the exit code; fails if crio does not stop in time.</summary>
    public async Task<int> StopAsync()
    {
        Signal(Signals.SIGTERM);
        return await WaitForExitAsync(StopTimeout).ConfigureAwait(false);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"crio did not exit within {timeout}; log:\n{Log}");
        }

        // WaitForExitAsync returns before the redirected streams are drained; this waits for them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Waits (bounded) until crio's log contains <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string text)
    {
        var deadline = Stopwatch.StartNew();
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"crio never logged \"{text}\"; log:\n{Log}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"crio exited with {_process.ExitCode} before serving; log:\n{Log}");
            }

            if (File.Exists(Folder.Socket) && Log.Contains("serving the CRI", StringComparison.Ordinal)
                && await UnixSocketChannel.AcceptsConnectionsAsync(Folder.Socket, CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"crio did not serve {Folder.Socket} within {StartTimeout}; log:\n{Log}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
