using System.Security.Cryptography;
using CriO.Cri;

namespace CriO.E2E.Tests.Fixtures;

/// <summary>
/// One daemon with a bridge network for pod tests, and everything it made taken down at the
/// end even when the test failed: its pods (through RemovePodSandbox, then the folder's safety
/// net), the bridge and host-port rules, and the test's cgroup tree.
/// </summary>
internal sealed class PodTestHost : IAsyncDisposable
{
    private readonly List<string> _pods = [];

    private PodTestHost(CrioFolder folder, BridgeNetwork network, string cgroupRoot)
    {
        Folder = folder;
        Network = network;
        CgroupRoot = cgroupRoot;
    }

    public CrioFolder Folder { get; }

    public BridgeNetwork Network { get; }

    /// <summary>The cgroup_parent prefix of this test's pods ("/crio-e2e-TAG").</summary>
    public string CgroupRoot { get; }

    public CrioProcess Crio { get; private set; } = null!;

    public RuntimeService.RuntimeServiceClient Runtime { get; private set; } = null!;

    /// <summary>A daemon on a fresh folder; <paramref name="prepare"/> may change the folder first (config, CNI files).</summary>
    public static async Task<PodTestHost> StartAsync(Action<PodTestHost>? prepare = null, bool writeNetwork = true)
    {
        var folder = new CrioFolder();
        folder.PluginDirectories.Add("/usr/lib/cni");
        var host = new PodTestHost(folder, new BridgeNetwork(folder), $"/crio-e2e-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");
        try
        {
            if (writeNetwork)
            {
                host.Network.WriteTo(folder.NetworkDirectory);
            }

            prepare?.Invoke(host);
            folder.WriteConfig("info");
            await host.StartDaemonAsync().ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task StartDaemonAsync()
    {
        Crio = await CrioProcess.StartAsync(Folder).ConfigureAwait(false);
        Runtime = new RuntimeService.RuntimeServiceClient(Crio.Channel);
    }

    /// <summary>Kills the daemon with SIGKILL (no chance to tidy up) and starts a new one on the same folder.</summary>
    public async Task KillAndRestartDaemonAsync()
    {
        Crio.Signal(Signals.SIGKILL);
        await Crio.WaitForExitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        await Crio.DisposeAsync().ConfigureAwait(false);
        await StartDaemonAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the daemon (SIGTERM), runs <paramref name="whileDown"/>, and starts a new one on the same folder.</summary>
    public async Task RestartDaemonAsync(Func<Task>? whileDown = null)
    {
        await Crio.StopAsync().ConfigureAwait(false);
        await Crio.DisposeAsync().ConfigureAwait(false);
        if (whileDown is not null)
        {
            await whileDown().ConfigureAwait(false);
        }

        await StartDaemonAsync().ConfigureAwait(false);
    }

    public PodSandboxConfig PodConfig(string name, string? uid = null) => new()
    {
        Metadata = new PodSandboxMetadata { Name = name, Namespace = "e2e", Uid = uid ?? Guid.NewGuid().ToString(), Attempt = 0 },
        Hostname = name,
        LogDirectory = Path.Combine(Folder.Root, "logs", name),
        DnsConfig = new DNSConfig { Servers = { "10.96.0.10" }, Searches = { "e2e.svc.cluster.local", "svc.cluster.local" }, Options = { "ndots:5" } },
        Labels = { ["app"] = name, ["tier"] = "e2e" },
        Annotations = { ["e2e/annotation"] = "kept" },
        Linux = new LinuxPodSandboxConfig
        {
            CgroupParent = $"{CgroupRoot}/pod{name}",
            SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption { Pid = NamespaceMode.Container } },
        },
    };

    public async Task<string> RunAsync(PodSandboxConfig config, string runtimeHandler = "")
    {
        var response = await Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config, RuntimeHandler = runtimeHandler }).ConfigureAwait(false);
        _pods.Add(response.PodSandboxId);
        return response.PodSandboxId;
    }

    public async Task<PodSandboxStatusResponse> StatusAsync(string id) =>
        await Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id, Verbose = true }).ConfigureAwait(false);

    /// <summary>The pod's verbose info, parsed.</summary>
    public async Task<System.Text.Json.JsonElement> InfoAsync(string id)
    {
        var status = await StatusAsync(id).ConfigureAwait(false);
        return System.Text.Json.JsonDocument.Parse(status.Info["info"]).RootElement.Clone();
    }

    /// <summary>Cgroup folders of this test's tree, in every hierarchy.</summary>
    public IReadOnlyList<string> CgroupFolders() =>
        [.. Directory.GetDirectories("/sys/fs/cgroup")
            .Select(h => h + CgroupRoot)
            .Where(Directory.Exists)
            .SelectMany(d => Directory.GetDirectories(d, "*", SearchOption.AllDirectories).Prepend(d))];

    public async ValueTask DisposeAsync()
    {
        if (Crio is not null && !Crio.HasExited)
        {
            foreach (var id in _pods)
            {
                try
                {
                    await Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }).ConfigureAwait(false);
                }
                catch (Grpc.Core.RpcException)
                {
                    // The safety nets below take what is left.
                }
            }

            await Crio.DisposeAsync().ConfigureAwait(false);
        }

        await Network.DisposeAsync().ConfigureAwait(false);
        Leftovers.Clean(Folder.Root);
        foreach (var folder in CgroupFolders().OrderByDescending(f => f.Length))
        {
            try
            {
                Directory.Delete(folder);
            }
            catch (IOException)
            {
            }
        }

        Folder.Dispose();
    }
}
