using System.Diagnostics;
using CriO.Conmon.Client;
using CriO.Oci.Runtime;

namespace CriO.Server.Containers;

/// <summary>
/// A running streaming exec: the runtime's exec in the foreground, with the command's stdin,
/// stdout and stderr as pipes — or, with a terminal, on a pseudo-terminal of the daemon's whose
/// master is both <see cref="Stdout"/> and <see cref="Stdin"/> (the runtime copies between it and
/// the container's terminal, and follows its size). Disposing kills the command if it still
/// runs and removes its files.
/// </summary>
public sealed class StreamingExec : IDisposable
{
    private readonly Process? _process;
    private readonly TerminalProcess? _terminal;
    private readonly FileStream? _master;
    private readonly string _processFile;
    private readonly string _pidFile;

    public StreamingExec(Process process, string processFile, string pidFile)
    {
        _process = process;
        _processFile = processFile;
        _pidFile = pidFile;
    }

    public StreamingExec(TerminalProcess terminal, string processFile, string pidFile)
    {
        _terminal = terminal;
        _master = new FileStream(terminal.Master, FileAccess.ReadWrite, 0);
        _processFile = processFile;
        _pidFile = pidFile;
    }

    public bool IsTerminal => _terminal is not null;

    public Stream Stdin => _master ?? _process!.StandardInput.BaseStream;

    public Stream Stdout => _master ?? _process!.StandardOutput.BaseStream;

    /// <summary>The command's stderr; null with a terminal (it writes there as to stdout).</summary>
    public Stream? Stderr => _process?.StandardError.BaseStream;

    public bool HasExited => _terminal?.HasExited ?? _process!.HasExited;

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        if (_terminal is not null)
        {
            return await _terminal.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }

        await _process!.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Sets the terminal's size (nothing without one).</summary>
    public void Resize(ushort rows, ushort columns) => _terminal?.Resize(rows, columns);

    public void Dispose()
    {
        if (!HasExited)
        {
            OciRuntime.KillExecuted(_pidFile);
        }

        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        _master?.Dispose();
        _terminal?.Dispose();
        File.Delete(_processFile);
        File.Delete(_pidFile);
    }
}
