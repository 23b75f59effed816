using CriO.E2E.Tests.Fixtures;
using CriO.Registry.Fixture;

namespace CriO.E2E.Tests.Manifests;

/// <summary>
/// One daemon with real runtimes and a bridge network for all example pods, and a loopback
/// registry serving busybox. The examples name docker.io/library/busybox; registries.conf
/// rewrites that prefix to the loopback registry (a [[registry]] prefix/location pair), so the
/// manifests run unchanged and nothing is fetched from the internet.
/// </summary>
public sealed class ExamplePodsHost : IAsyncLifetime
{
    internal ContainerHost Containers { get; private set; } = null!;

    internal PodTestHost Host => Containers.Host;

    /// <summary>The pods' log root (the kubelet's /var/log/pods), inside the test's folder.</summary>
    internal string LogRoot => Path.Combine(Host.Folder.Root, "pods");

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
