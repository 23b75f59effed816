using Microsoft.Extensions.Logging.Abstractions;

namespace CriO.Cni.Tests.Fakes;

/// <summary>
/// A throw-away CNI layout in a temporary folder: a network folder, a plugin folder of fake
/// plugins (shell scripts that record the environment and stdin they got, then answer as told),
/// a cache folder, and the record of the calls. Removed on dispose.
/// </summary>
internal sealed class CniTestBed : IDisposable
{
    public CniTestBed()
    {
        Root = Directory.CreateTempSubdirectory("crio-cni-test-").FullName;
        NetworkDirectory = Path.Combine(Root, "net.d");
        PluginDirectory = Path.Combine(Root, "bin");
        CacheDirectory = Path.Combine(Root, "cache");
        CallDirectory = Path.Combine(Root, "calls");
        Directory.CreateDirectory(NetworkDirectory);
        Directory.CreateDirectory(PluginDirectory);
        Directory.CreateDirectory(CallDirectory);
    }

    public string Root { get; }

    public string NetworkDirectory { get; }

    public string PluginDirectory { get; }

    public string CacheDirectory { get; }

    /// <summary>Where the fake plugins record what they got.</summary>
    public string CallDirectory { get; }

    public string ResultsDirectory => Path.Combine(CacheDirectory, "results");

    public CniSettings Settings(TimeSpan? timeout = null, string defaultNetwork = "") =>
        new(NetworkDirectory, [PluginDirectory], defaultNetwork, CacheDirectory, timeout ?? TimeSpan.FromSeconds(20));

    public CniNetworkManager Manager(TimeSpan? timeout = null, string defaultNetwork = "") =>
        new(Settings(timeout, defaultNetwork), NullLogger.Instance, TimeProvider.System);

    /// <summary>
    /// Writes a fake plugin. It records its call, environment and stdin; on ADD it prints
    /// <paramref name="addResult"/>; on VERSION a fixed answer; when the command is
    /// <paramref name="failOn"/> it runs <paramref name="failure"/> (a shell snippet) instead.
    /// </summary>
    public void WritePlugin(string type, string addResult = FakeResults.V100, string? failOn = null, string failure = "")
    {
        var script = $$"""
            #!/bin/sh
            calls='{{CallDirectory}}'
            input=$(cat)
            echo "{{type}} $CNI_COMMAND" >> "$calls/calls"
            printf '%s' "$input" > "$calls/{{type}}-$CNI_COMMAND.stdin"
            env > "$calls/{{type}}-$CNI_COMMAND.env"
            if [ "$CNI_COMMAND" = '{{failOn}}' ]; then
            :
            {{failure}}
            fi
            case "$CNI_COMMAND" in
            ADD)
            cat <<'RESULT'
            {{addResult}}
            RESULT
            ;;
            VERSION)
            echo '{"cniVersion":"1.0.0","supportedVersions":["0.3.1","0.4.0","1.0.0"]}'
            ;;
            esac
            exit 0

            """;
        var path = Path.Combine(PluginDirectory, type);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, script);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Move(temporary, path, overwrite: true);
    }

    public void WriteConfig(string fileName, string json) => File.WriteAllText(Path.Combine(NetworkDirectory, fileName), json);

    /// <summary>The calls in order, as "type COMMAND".</summary>
    public IReadOnlyList<string> Calls()
    {
        var path = Path.Combine(CallDirectory, "calls");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    public void ClearCalls()
    {
        foreach (var file in Directory.GetFiles(CallDirectory))
        {
            File.Delete(file);
        }
    }

    public string Stdin(string type, string command) => File.ReadAllText(Path.Combine(CallDirectory, $"{type}-{command}.stdin"));

    public IReadOnlyDictionary<string, string> Environment(string type, string command) =>
        File.ReadAllLines(Path.Combine(CallDirectory, $"{type}-{command}.env"))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0])
            .ToDictionary(g => g.Key, g => g.First()[1]);

    public string[] CacheFiles() => Directory.Exists(ResultsDirectory) ? Directory.GetFiles(ResultsDirectory) : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A plugin killed at a timeout may still be closing a file; the OS temp cleaner remains.
        }
    }
}
