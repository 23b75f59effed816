using CriO.Cri;
using CriO.E2E.Tests.Images;
using CriO.Registry.Fixture;
using CriO.TestImages;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Fixtures;

/// <summary>A pod test host with real runtimes, a registry holding busybox, and the image pulled.</summary>
internal sealed class ContainerHost : IAsyncDisposable
{
    private ContainerHost(PodTestHost host, DistributionRegistry registry, string imageName)
    {
        Host = host;
        Registry = registry;
        ImageName = imageName;
        UserImageName = $"{registry.Host}/library/app:1";
    }

    /// <summary>Busybox whose config says USER app (uid 1000, also in group extra 2000).</summary>
    public string UserImageName { get; }

    public PodTestHost Host { get; }

    public DistributionRegistry Registry { get; }

    public string ImageName { get; }

    public RuntimeService.RuntimeServiceClient Runtime => Host.Runtime;

    /// <summary>Debian's conmon, for the tests that run under both monitors.</summary>
    public const string UpstreamConmon = "/usr/bin/conmon";

    /// <summary>A host whose containers run under <paramref name="monitor"/> (null: crio's default, crio-conmon).</summary>
    /// <param name="prepare">More set-up of the daemon's folder before it starts (drop-in config files).</param>
    /// <param name="registriesConf">The daemon's registries.conf for the registry (default: it is searched for short names).</param>
    public static async Task<ContainerHost> StartAsync(string? monitor = null, Action<PodTestHost>? prepare = null, Func<DistributionRegistry, string>? registriesConf = null)
    {
        await HybridCgroups.EnsureV1MountsAsync();
        var registry = await DistributionRegistry.StartAsync();
        try
        {
            await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "library/busybox", "1");
            await RegistryImages.PushAsync(registry, BusyboxImages.WithUser("app"), "library/app", "1");
            var host = await PodTestHost.StartAsync(h =>
            {
                h.Folder.RealRuntimes = true;
                h.Folder.Monitor = monitor;
                h.Folder.WriteRegistriesConf((registriesConf ?? RegistryPullFixture.InsecureSearch)(registry));
                prepare?.Invoke(h);
            });
            var image = $"{registry.Host}/library/busybox:1";
            var pulls = new ImageService.ImageServiceClient(host.Crio.Channel);
            await pulls.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = image } });
            await pulls.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = $"{registry.Host}/library/app:1" } });
            return new ContainerHost(host, registry, image);
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    public async Task<string> CreateAsync(string pod, string name, IReadOnlyList<string> command, Action<ContainerConfig>? configure = null, string? image = null)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = image ?? ImageName },
            Command = { command },
            LogPath = $"{name}/0.log",
        };
        configure?.Invoke(config);
        return (await Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = pod, Config = config })).ContainerId;
    }

    /// <summary>Creates and starts a container; its id.</summary>
    public async Task<string> StartAsync(string pod, string name, IReadOnlyList<string> command, Action<ContainerConfig>? configure = null, string? image = null)
    {
        var id = await CreateAsync(pod, name, command, configure, image);
        await Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });
        return id;
    }

    /// <summary>ExecSync in a running container: (exit code, stdout + stderr).</summary>
    public async Task<(int ExitCode, string Output)> ExecAsync(string id, params string[] command)
    {
        var result = await Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { command }, Timeout = 20 });
        return (result.ExitCode, result.Stdout.ToStringUtf8() + result.Stderr.ToStringUtf8());
    }

    public async Task<ContainerStatus> WaitExitedAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var status = (await Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id })).Status;
            if (status.State == ContainerState.ContainerExited)
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"container {id} still {status.State}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Registry.DisposeAsync();
    }
}
