using CriO.Tests.Shared;

namespace CriO.Bench.Sandbox;

/// <summary>
/// Debian's containerd (1.6) with its CRI plugin, on its own socket, root, state and config in
/// the benchmark's folder: runc through the runc v2 shim with cgroupfs, the benchmark's CNI
/// network, and the pause image imported with ctr (nothing is pulled). Every path it would
/// otherwise put on the host (/opt/containerd, /run/containerd/runc, /var/run/netns) is moved
/// into its folder by the config; the shim sockets it keeps in /run/containerd/s are removed
/// on cleanup.
/// </summary>
internal sealed class ContainerdPeer : CriPeer
{
    private const string Namespace = "k8s.io";
    private const string ShimSocketFolder = "/run/containerd/s";

    private readonly string _pauseArchive;
    private readonly string _networkDirectory;
    private readonly HashSet<string> _shimSocketsBefore;
    private readonly bool _runContainerdExisted;

    public ContainerdPeer(string folder, string cgroupParent, string pauseArchive, string networkDirectory)
        : base("containerd", folder, cgroupParent)
    {
        _pauseArchive = pauseArchive;
        _networkDirectory = networkDirectory;
        _runContainerdExisted = Directory.Exists("/run/containerd");
        _shimSocketsBefore = Directory.Exists(ShimSocketFolder) ? Directory.EnumerateFileSystemEntries(ShimSocketFolder).ToHashSet(StringComparer.Ordinal) : [];
    }

    public override string Socket => Path.Join(Folder, "containerd.sock");

    private string ConfigFile => Path.Join(Folder, "containerd.toml");

    protected override async Task StartDaemonAsync(CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(ConfigFile, Config(), cancellationToken);
        Daemon = DaemonProcess.Start("containerd", ["--config", ConfigFile]);
    }

    protected override async Task AfterStartAsync(CancellationToken cancellationToken)
    {
        // The layout's org.opencontainers.image.ref.name is the full name, which ctr keeps.
        var (exitCode, output, errors) = await ChildProcess.RunAsync(
            "ctr", ["--address", Socket, "-n", Namespace, "images", "import", _pauseArchive], timeout: TimeSpan.FromSeconds(60));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ctr images import failed: {errors.Trim()} {output.Trim()}");
        }

        (_, output, _) = await ChildProcess.RunAsync("ctr", ["--address", Socket, "-n", Namespace, "images", "ls", "-q"], timeout: TimeSpan.FromSeconds(30));
        if (!output.Split('\n').Contains(PauseImage.Name, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"{PauseImage.Name} is not among the imported images: {output.Trim()}");
        }
    }

    protected override Task CleanUpHostAsync()
    {
        // A shim that was killed leaves its socket behind (they are named by a hash of our address and the pod id).
        if (Directory.Exists(ShimSocketFolder))
        {
            foreach (var socket in Directory.EnumerateFileSystemEntries(ShimSocketFolder).Where(s => !_shimSocketsBefore.Contains(s)))
            {
                File.Delete(socket);
            }
        }

        if (!_runContainerdExisted)
        {
            foreach (var folder in new[] { ShimSocketFolder, "/run/containerd" })
            {
                if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    Directory.Delete(folder);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// containerd 1.6's config (version 2): only the plugins a CRI pod needs; netns mounts under
    /// its state folder, runc state (the shim's Root) and the opt plugin's folder in ours.
    /// </summary>
    private const int CapSysResource = 24;

    /// <summary>Whether this process has capability <paramref name="bit"/> (capabilities(7)) in its effective set.</summary>
    private static bool HasCapability(int bit)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        var mask = ulong.Parse(line["CapEff:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return (mask & (1UL << bit)) != 0;
    }

    private string Config() => $$"""
        version = 2
        root = "{{Folder}}/root"
        state = "{{Folder}}/state"
        disabled_plugins = [
          "io.containerd.snapshotter.v1.aufs",
          "io.containerd.snapshotter.v1.btrfs",
          "io.containerd.snapshotter.v1.devmapper",
          "io.containerd.snapshotter.v1.zfs",
          "io.containerd.snapshotter.v1.native",
          "io.containerd.tracing.processor.v1.otlp",
          "io.containerd.internal.v1.tracing",
        ]

        [grpc]
          address = "{{Socket}}"

        [ttrpc]
          address = "{{Socket}}.ttrpc"

        [debug]
          level = "warn"

        [plugins."io.containerd.internal.v1.opt"]
          path = "{{Folder}}/opt"

        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "{{PauseImage.Name}}"
          netns_mounts_under_state_dir = true
          # The pause container asks for oom_score_adj -998, which needs CAP_SYS_RESOURCE; a
          # host that lacks it (this one: root in a container) fails in runc's nsexec with
          # "can't get final child's PID from pipe: EOF". This clamps it to containerd's own.
          restrict_oom_score_adj = {{(HasCapability(CapSysResource) ? "false" : "true")}}
          systemd_cgroup = false
          disable_apparmor = true
          stream_server_address = "127.0.0.1"
          stream_server_port = "0"

          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "{{BenchNetwork.PluginDirectory}}"
            conf_dir = "{{_networkDirectory}}"

          [plugins."io.containerd.grpc.v1.cri".containerd]
            snapshotter = "overlayfs"
            default_runtime_name = "runc"

            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"

              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                SystemdCgroup = false
                Root = "{{Folder}}/runc"
        """;
}
