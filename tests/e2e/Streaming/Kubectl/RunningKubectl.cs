using System.Diagnostics;
using System.Text;

namespace CriO.E2E.Tests.Streaming.Kubectl;

/// <summary>A kubectl that runs until disposed (port-forward); what it printed so far.</summary>
internal sealed class RunningKubectl : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly SemaphoreSlim _printed = new(0);

    public RunningKubectl(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task WaitForAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"kubectl did not print \"{text}\" ({(_process.HasExited ? $"exited {_process.ExitCode}" : "timed out")}): {Output}");
            }

            await _printed.WaitAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _printed.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        _printed.Release();
    }
}
