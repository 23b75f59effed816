using System.Diagnostics;
using CriO.Oci.Runtime;

namespace CriO.Server.Containers;

/// <summary>
/// A running streaming exec: the runtime's exec process, whose stdin, stdout and stderr are the
/// exec'd command's. Disposing kills the command if it still runs and removes its files.
/// </summary>
public sealed class StreamingExec(Process process, string processFile, string pidFile) : IDisposable
{
    public Process Process => process;

    public void Dispose()
    {
        if (!process.HasExited)
        {
            OciRuntime.KillExecuted(pidFile);
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
        File.Delete(processFile);
        File.Delete(pidFile);
    }
}
