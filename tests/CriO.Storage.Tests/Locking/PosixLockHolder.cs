using System.Diagnostics;

namespace CriO.Storage.Tests.Locking;

/// <summary>
/// A python3 child process that takes a classic POSIX record lock (fcntl.lockf: F_SETLK(W) on the
/// whole file, the kind containers/storage takes) on a file, says so on stdout, and holds it
/// until its stdin closes: an independent, non-.NET lock holder for cross-process tests.
/// </summary>
internal sealed class PosixLockHolder : IAsyncDisposable
{
    private const string Script = """
        import fcntl, os, sys
        path, mode, blocking = sys.argv[1], sys.argv[2], sys.argv[3] == "wait"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        op = fcntl.LOCK_EX if mode == "exclusive" else fcntl.LOCK_SH
        try:
            fcntl.lockf(fd, op if blocking else op | fcntl.LOCK_NB)
        except OSError:
            print("busy", flush=True)
            sys.exit(3)
        print("locked", flush=True)
        sys.stdin.read()
        """;

    private readonly Process _process;
    private Task<string?>? _nextLine;

    private PosixLockHolder(Process process)
    {
        _process = process;
    }

    /// <summary>Starts python3 asking for the lock; it waits for it when <paramref name="wait"/>.</summary>
    public static PosixLockHolder Start(string path, bool exclusive, bool wait)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", Script, path, exclusive ? "exclusive" : "shared", wait ? "wait" : "nowait" })
        {
            start.ArgumentList.Add(argument);
        }

        return new PosixLockHolder(Process.Start(start) ?? throw new InvalidOperationException("python3 did not start"));
    }

    /// <summary>
    /// Its next line: "locked" once it holds the lock, "busy" if it could not get it without
    /// waiting, "exited" if it ended first.
    /// </summary>
    public async Task<string> NextLineAsync(TimeSpan timeout)
    {
        _nextLine ??= _process.StandardOutput.ReadLineAsync();
        var line = await _nextLine.WaitAsync(timeout).ConfigureAwait(false);
        _nextLine = null;
        return line ?? "exited";
    }

    /// <summary>True when it prints nothing for <paramref name="duration"/> (still waiting for the lock).</summary>
    public async Task<bool> IsSilentForAsync(TimeSpan duration)
    {
        _nextLine ??= _process.StandardOutput.ReadLineAsync();
        var finished = await Task.WhenAny(_nextLine, Task.Delay(duration)).ConfigureAwait(false);
        return finished != _nextLine;
    }

    /// <summary>Releases the lock by closing its stdin, and waits for it to exit.</summary>
    public async Task ReleaseAsync()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
