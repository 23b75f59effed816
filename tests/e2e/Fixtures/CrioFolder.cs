namespace CriO.E2E.Tests.Fixtures;

/// <summary>
/// A temporary folder that holds everything one test daemon uses: socket, storage roots,
/// config file and drop-ins, CNI config and plugin folders, and a fake OCI runtime binary.
/// Nothing outside it is touched; disposing removes it.
/// </summary>
internal sealed class CrioFolder : IDisposable
{
    public CrioFolder()
    {
        // Short: a unix socket path must fit in 108 bytes.
        Root = Directory.CreateTempSubdirectory("crio-e2e-").FullName;
        Directory.CreateDirectory(DropInDirectory);
        Directory.CreateDirectory(NetworkDirectory);
        Directory.CreateDirectory(PluginDirectory);
        PluginDirectories.Add(PluginDirectory);
        Directory.CreateDirectory(Path.Combine(Root, "bin"));
        WriteExecutable(RuntimeBinary, "#!/bin/sh\nexit 0\n");
        WriteConfig("info");
    }

    public string Root { get; }

    public string Socket => Path.Combine(Root, "run", "crio.sock");

    public string ConfigFile => Path.Combine(Root, "crio.conf");

    public string DropInDirectory => Path.Combine(Root, "crio.conf.d");

    public string NetworkDirectory => Path.Combine(Root, "net.d");

    public string PluginDirectory => Path.Combine(Root, "cni-bin");

    /// <summary>plugin_dirs: the test's own folder first (fake plugins), then what else a test adds (Debian's real plugins).</summary>
    public List<string> PluginDirectories { get; } = [];

    public string CniPluginTimeout { get; set; } = "60s";

    /// <summary>namespaces_dir: pinned pod namespaces go to netns/, ipcns/ and utsns/ below it.</summary>
    public string NamespacesDirectory => Path.Combine(Root, "ns");

    /// <summary>Stands in for runc: RuntimeReady only checks that the binary is installed.</summary>
    public string RuntimeBinary => Path.Combine(Root, "bin", "runc");

    /// <summary>Environment the daemon starts with (e.g. CONTAINERS_REGISTRIES_CONF), on top of the test's.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The registries.conf the daemon reads (CONTAINERS_REGISTRIES_CONF points here once written).</summary>
    public string RegistriesConf => Path.Combine(Root, "registries.conf");

    public void WriteRegistriesConf(string toml)
    {
        File.WriteAllText(RegistriesConf, toml);
        Environment["CONTAINERS_REGISTRIES_CONF"] = RegistriesConf;
    }

    public IEnumerable<string> DaemonArguments() =>
        ["--config", ConfigFile, "--config-dir", DropInDirectory, "--listen", Socket];

    /// <summary>(Re)writes crio.conf pointing every folder into this temporary folder.</summary>
    public void WriteConfig(string logLevel, string extra = "") =>
        File.WriteAllText(ConfigFile, $"""
            [crio]
            root = "{Root}/storage"
            runroot = "{Root}/runroot"
            version_file = "{Root}/runroot/crio-version"
            version_file_persist = "{Root}/lib/crio-version"
            clean_shutdown_file = "{Root}/lib/clean.shutdown"
            [crio.runtime]
            cgroup_manager = "cgroupfs"
            log_level = "{logLevel}"
            container_exits_dir = "{Root}/exits"
            container_attach_socket_dir = "{Root}/attach"
            namespaces_dir = "{NamespacesDirectory}"
            {(Monitor is null ? "" : $"conmon = \"{Monitor}\"")}
            {RuntimeTables()}
            [crio.network]
            network_dir = "{NetworkDirectory}"
            plugin_dirs = [{string.Join(", ", PluginDirectories.Select(d => $"\"{d}\""))}]
            cni_plugin_timeout = "{CniPluginTimeout}"
            {extra}
            """);

    /// <summary>The monitor binary ([crio.runtime] conmon); null leaves the daemon's default (crio-conmon beside crio).</summary>
    public string? Monitor { get; set; }

    /// <summary>Run containers with Debian's runc and crun (found on PATH), each with its state under this folder, instead of the stand-in.</summary>
    public bool RealRuntimes { get; set; }

    private string RuntimeTables() => RealRuntimes
        ? $"""
            [crio.runtime.runtimes.runc]
            runtime_root = "{Root}/runc"
            [crio.runtime.runtimes.crun]
            runtime_root = "{Root}/crun"
            """
        : $"""
            [crio.runtime.runtimes.runc]
            runtime_path = "{RuntimeBinary}"
            """;

    public static void WriteExecutable(string path, string content)
    {
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose()
    {
        Leftovers.Clean(Root);
        Directory.Delete(Root, recursive: true);
    }
}
