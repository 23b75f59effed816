using System.Globalization;
using System.Text.Json;
using CriO.Tests.Shared;

namespace CriO.Pinns.Tests;

/// <summary>
/// A temporary --dir for one test (never /var/run), and the runs of crio-pinns against it.
/// Disposing kills every pause process a run reported, detaches every mount below the folder
/// (pins and the pin folders' own bind mounts, deepest first) and deletes it, so that a failing
/// test leaves nothing behind.
/// </summary>
internal sealed class PinsFolder : IDisposable
{
    private readonly List<int> _pausePids = [];

    public PinsFolder()
    {
        Root = Directory.CreateTempSubdirectory("crio-pinns-").FullName;
    }

    public string Root { get; }

    /// <summary>DIR/&lt;kind&gt;ns/NAME.</summary>
    public string Pin(string kind, string name) => Path.Join(Root, kind + "ns", name);

    /// <summary>Runs crio-pinns with <paramref name="arguments"/> as they are.</summary>
    public async Task<PinnsRun> RunAsync(params string[] arguments)
    {
        // Reading stdout to its end also checks that no pause process kept pinns' pipe open.
        var (exitCode, output, errors) = await ChildProcess.RunAsync(Binaries.Pinns, arguments, timeout: TimeSpan.FromSeconds(30));
        var run = new PinnsRun(exitCode, output, errors);
        if (run.PausePid is { } pid)
        {
            _pausePids.Add(pid);
        }

        return run;
    }

    /// <summary>Runs <c>crio-pinns --dir ROOT --file NAME</c> and <paramref name="more"/>.</summary>
    public Task<PinnsRun> PinAsync(string name, params string[] more) => RunAsync(["--dir", Root, "--file", name, .. more]);

    /// <summary>Runs <c>crio-pinns --remove --dir ROOT --file NAME</c>.</summary>
    public Task<PinnsRun> RemoveAsync(string name) => RunAsync("--remove", "--dir", Root, "--file", name);

    /// <summary>Mount points below the folder, from /proc/self/mountinfo (field 5), unescaped.</summary>
    public IReadOnlyList<string> Mounts() =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(mountPoint => mountPoint.StartsWith(Root + "/", StringComparison.Ordinal))
            .ToList();

    /// <summary>The pin folders' mount points among <see cref="Mounts"/> (DIR/netns ...), which stay by design.</summary>
    public IReadOnlyList<string> PinMounts() =>
        Mounts().Where(m => Path.GetDirectoryName(m) != Root).ToList();

    /// <summary>Every file and folder below the folder, relative, sorted.</summary>
    public IReadOnlyList<string> Entries() =>
        Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Root, path))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Every file (not folder) below the folder, relative, sorted.</summary>
    public IReadOnlyList<string> Files() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Root, path))
            .Order(StringComparer.Ordinal)
            .ToList();

    public void Dispose()
    {
        foreach (var pid in _pausePids)
        {
            NativeCalls.Signal(pid, NativeCalls.SigKill);
            ProcessInfo.EventuallyAsync(() => ProcessInfo.HasEnded(pid), TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }

        for (var round = 0; round < 10 && Mounts() is { Count: > 0 } mounts; round++)
        {
            foreach (var mountPoint in mounts.OrderByDescending(m => m.Length))
            {
                NativeCalls.Unmount(mountPoint);
            }
        }

        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>One run of crio-pinns: exit code, stdout, stderr, and the JSON answer when there is one.</summary>
internal sealed record PinnsRun(int ExitCode, string Output, string Errors)
{
    /// <summary>The members of the JSON line on stdout (strings and numbers as text).</summary>
    public IReadOnlyDictionary<string, string> Json { get; } = Parse(Output);

    public int? PausePid => Json.TryGetValue("pausePid", out var pid) ? int.Parse(pid, CultureInfo.InvariantCulture) : null;

    public override string ToString() => $"exit {ExitCode}, stdout '{Output.Trim()}', stderr '{Errors.Trim()}'";

    private static Dictionary<string, string> Parse(string output)
    {
        if (!output.TrimStart().StartsWith('{'))
        {
            return [];
        }

        using var json = JsonDocument.Parse(output);
        return json.RootElement.EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
    }
}
