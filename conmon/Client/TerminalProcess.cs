using System.Runtime.Versioning;
using CriO.Conmon.Client.Interop;
using CriO.Storage.Interop;
using Microsoft.Win32.SafeHandles;

namespace CriO.Conmon.Client;

/// <summary>
/// A process started on a pseudo-terminal of its own, as its controlling terminal in a new
/// session: how a runtime's foreground exec with a terminal is run (it copies between that
/// terminal and the one it makes in the container, and follows its size on SIGWINCH).
/// Disposing kills the process if it still runs and closes the master.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class TerminalProcess : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private readonly SafeFd _master;
    private int? _exitCode;

    private TerminalProcess(int pid, SafeFd master, SafeFileHandle masterHandle)
    {
        Pid = pid;
        _master = master;
        Master = masterHandle;
    }

    public int Pid { get; }

    /// <summary>The terminal's master: read the process's output, write its input.</summary>
    public SafeFileHandle Master { get; }

    public static TerminalProcess Start(string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, string workingDirectory)
    {
        var (master, slavePath) = TerminalCalls.OpenPair();
        try
        {
            var pid = PosixSpawn.Spawn(path, arguments, environment, workingDirectory, [], newSession: true, terminal: slavePath);
            var handle = new SafeFileHandle(master.DangerousGetHandle(), ownsHandle: false);
            return new TerminalProcess(pid, master, handle);
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Sets the terminal's size and tells the process.</summary>
    public void Resize(ushort rows, ushort columns)
    {
        SocketCalls.Resize(_master, rows, columns);
        TerminalCalls.NotifyResize(Pid);
    }

    /// <summary>Waits for the process to exit: its exit code (128+N after signal N).</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        while (_exitCode is null)
        {
            switch (ProcessCalls.TryReap(Pid, out var status))
            {
                case ProcessCalls.WaitOutcome.Exited:
                    _exitCode = status;
                    break;
                case ProcessCalls.WaitOutcome.Gone:
                    _exitCode = -1;
                    break;
                default:
                    await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        return _exitCode.Value;
    }

    public bool HasExited => _exitCode is not null;

    public void Dispose()
    {
        if (_exitCode is null)
        {
            ProcessCalls.Kill(Pid);
            while (ProcessCalls.TryReap(Pid, out _) == ProcessCalls.WaitOutcome.Running)
            {
                Thread.Sleep(5);
            }
        }

        Master.Dispose();
        _master.Dispose();
    }
}
