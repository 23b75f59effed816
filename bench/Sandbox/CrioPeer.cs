using CriO.Tests.Shared;

namespace CriO.Bench.Sandbox;

/// <summary>
/// Our crio daemon, started as the e2e fixture starts it: the binary from CRIO_BINARY or
/// out/crio (NativeAOT, published by scripts/lib/common.sh publish_crio, with crio-pinns and
/// crio-pause beside it), a config in the benchmark's folder pointing every root there,
/// cgroupfs, the benchmark's CNI network, and the same pause image imported into its store
/// with `crio storage import` first.
/// </summary>
internal sealed class CrioPeer : CriPeer
{
    private readonly string _pauseArchive;
    private readonly string _networkDirectory;

    public CrioPeer(string folder, string cgroupParent, string pauseArchive, string networkDirectory)
        : base("crio", folder, cgroupParent)
    {
        _pauseArchive = pauseArchive;
        _networkDirectory = networkDirectory;
    }

    public override string Socket => Path.Join(Folder, "crio.sock");

    private string ConfigFile => Path.Join(Folder, "crio.conf");

    private string DropInDirectory => Path.Join(Folder, "crio.conf.d");

    /// <summary>CRIO_BINARY, else out/crio in the repository.</summary>
    public static string Binary() =>
        Environment.GetEnvironmentVariable("CRIO_BINARY") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Join(RepositoryRoot(), "out", "crio");

    protected override async Task StartDaemonAsync(CancellationToken cancellationToken)
    {
        var binary = Binary();
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException($"crio binary not found at {binary}: publish it (scripts/lib/common.sh publish_crio out) or set CRIO_BINARY");
        }

        Directory.CreateDirectory(DropInDirectory);
        await File.WriteAllTextAsync(ConfigFile, Config(binary), cancellationToken);

        // Preload the pause image (offline), as an operator would on an air-gapped node.
        var (exitCode, output, errors) = await ChildProcess.RunAsync(
            binary, ["--config", ConfigFile, "--config-dir", DropInDirectory, "storage", "import", $"oci-archive:{_pauseArchive}", PauseImage.Name], timeout: TimeSpan.FromSeconds(60));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"crio storage import of the pause image failed: {errors.Trim()} {output.Trim()}");
        }

        Daemon = DaemonProcess.Start(binary, ["--config", ConfigFile, "--config-dir", DropInDirectory, "--listen", Socket]);
    }

    /// <summary>Every path crio would use on the host, moved into its folder (keys as in CRI-O).</summary>
    private string Config(string binary)
    {
        var pinns = Path.Join(Path.GetDirectoryName(binary)!, "crio-pinns");
        return $"""
            [crio]
            root = "{Folder}/storage"
            runroot = "{Folder}/runroot"
            log_dir = "{Folder}/container-logs"
            version_file = "{Folder}/version"
            version_file_persist = "{Folder}/version-persist"
            clean_shutdown_file = "{Folder}/clean.shutdown"
            [crio.runtime]
            cgroup_manager = "cgroupfs"
            log_level = "warn"
            container_exits_dir = "{Folder}/exits"
            container_attach_socket_dir = "{Folder}/attach"
            namespaces_dir = "{Folder}/ns"
            {(File.Exists(pinns) ? $"pinns_path = \"{pinns}\"" : "")}
            {(Environment.GetEnvironmentVariable("CRIO_BENCH_CONMON") is { Length: > 0 } monitor ? $"conmon = \"{monitor}\"" : "")}
            [crio.runtime.runtimes.runc]
            runtime_root = "{Folder}/runc"
            [crio.image]
            pause_image = "{PauseImage.Name}"
            pause_command = "{PauseImage.Command}"
            [crio.network]
            network_dir = "{_networkDirectory}"
            plugin_dirs = ["{BenchNetwork.PluginDirectory}"]
            """;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "CriO.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
