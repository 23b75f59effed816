using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Registry.Fixture;
using CriO.Server.Play;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Manifests;

/// <summary>
/// One daemon with real runtimes and a bridge network for the pods of crio play tests, and a loopback
/// registry serving busybox. The examples name docker.io/library/busybox; registries.conf
/// rewrites that prefix to the loopback registry (a [[registry]] prefix/location pair), so the
/// manifests run unchanged and nothing is fetched from the internet.
/// </summary>
public sealed class PlayTestHost : IAsyncLifetime
{
    internal ContainerHost Containers { get; private set; } = null!;

    internal PodTestHost Host => Containers.Host;

    /// <summary>The pods' log root (the kubelet's /var/log/pods), inside the test's folder.</summary>
    internal string LogRoot => Path.Combine(Host.Folder.Root, "pods");

    /// <summary>The published `crio play` with <paramref name="arguments"/>, pointed at this host's daemon, folders and cgroup tree.</summary>
    internal Task<(int ExitCode, string Output, string Errors)> PlayAsync(params string[] arguments) =>
        ChildProcess.RunAsync(RepositoryPaths.CrioBinary,
        [
            "play", "--config", Host.Folder.ConfigFile, "--config-dir", Host.Folder.DropInDirectory, "--socket", Host.Folder.Socket,
            "--log-root", LogRoot, "--cgroup-parent", $"{Host.CgroupRoot}/podplay", "--timeout", "60", .. arguments,
        ], timeout: TimeSpan.FromSeconds(120));

    /// <summary>The pods on the daemon with the manifest's name and namespace.</summary>
    internal async Task<IReadOnlyList<PodSandbox>> PodsOfAsync(PodManifest manifest)
    {
        var filter = new PodSandboxFilter();
        filter.LabelSelector[KubernetesLabels.PodName] = manifest.Name;
        filter.LabelSelector[KubernetesLabels.PodNamespace] = manifest.Namespace;
        return (await Host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter })).Items;
    }

    /// <summary>Removes what a failed test left of the manifest's pods.</summary>
    internal async Task RemovePodsOfAsync(PodManifest manifest)
    {
        foreach (var left in await PodsOfAsync(manifest))
        {
            await Host.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = left.Id });
        }
    }

    public async Task InitializeAsync() =>
        Containers = await ContainerHost.StartAsync(registriesConf: RewriteDockerHubBusybox);

    public async Task DisposeAsync()
    {
        if (Containers is not null)
        {
            await Containers.DisposeAsync();
        }
    }

    private static string RewriteDockerHubBusybox(DistributionRegistry registry) => $"""
        unqualified-search-registries = ["{registry.Host}"]
        [[registry]]
        location = "{registry.Host}"
        insecure = true
        [[registry]]
        prefix = "docker.io/library/busybox"
        location = "{registry.Host}/library/busybox"
        insecure = true
        """;
}
