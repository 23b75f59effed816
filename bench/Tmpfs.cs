using System.Diagnostics;

namespace CriO.Bench;

/// <summary>
/// A tmpfs mounted for one benchmark: this machine's disk throttles after a few hundred MB of
/// writes, which would swamp any comparison. Unmounted and removed on dispose.
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    public Tmpfs(string size)
    {
        Root = Directory.CreateTempSubdirectory("crio-bench-").FullName;
        Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", Root);
    }

    public string Root { get; }

    public void Dispose()
    {
        Run("umount", "-l", Root);
        Directory.Delete(Root);
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(program, arguments);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}");
        }
    }
}
