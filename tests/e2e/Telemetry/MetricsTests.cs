using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;

namespace CriO.E2E.Tests.Telemetry;

/// <summary>GET /metrics of a real daemon (enable_metrics) across image pulls and a pod's lifecycle.</summary>
public sealed class MetricsTests
{
    private static readonly string[] LifecycleCalls =
        ["RunPodSandbox", "CreateContainer", "StartContainer", "StopContainer", "RemoveContainer", "StopPodSandbox", "RemovePodSandbox"];

    [Fact]
    public async Task Scrapes_count_the_calls_of_a_pod_lifecycle_the_pull_bytes_and_the_runtimes_own_metrics()
    {
        Uri? endpoint = null;
        await using var setup = await ContainerHost.StartAsync(prepare: host => endpoint = TelemetryConfig.EnableMetrics(host.Folder));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // The host pulled two images before the test got the daemon.
        var before = await MetricsScrape.FetchAsync(http, endpoint!);
        Assert.True(before.Value("crio_image_pulls_bytes_total") > 0, before.Text);
        Assert.True(before.Value("crio_image_pulls_success_total") >= 2, before.Text);
        Assert.True(before.Value("crio_operations_total", ("operation_type", "PullImage")) >= 2, before.Text);
        Assert.Contains("# TYPE crio_operations_total counter", before.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE crio_operations_latency_seconds histogram", before.Text, StringComparison.Ordinal);
        Assert.Contains(before.Samples, s => s.Name == "crio_image_pulls_bytes_total" && s.Labels.ContainsKey("mediatype"));

        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("metrics"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);
        await setup.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = 1 });
        await setup.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id });
        await setup.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod });
        await setup.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod });
        var missing = await Assert.ThrowsAsync<RpcException>(() => setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = "0123456789ab" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        // A second pull of the same image finds every layer in the store.
        var images = new ImageService.ImageServiceClient(setup.Host.Crio.Channel);
        await images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = setup.ImageName } });

        var after = await MetricsScrape.FetchAsync(http, endpoint!);
        foreach (var call in LifecycleCalls)
        {
            Assert.True(after.Value("crio_operations_total", ("operation_type", call)) == before.Value("crio_operations_total", ("operation_type", call)) + 1,
                $"{call} counted once: {after.Text}");
            Assert.True(after.Value("crio_operations_latency_seconds_count", ("operation_type", call)) >= 1, $"{call} timed");
        }

        Assert.Equal(1, after.Value("crio_operations_errors_total", ("operation_type", "ContainerStatus"), ("error_type", "NotFound")));
        Assert.True(after.Value("crio_image_layer_reuse_total") > before.Value("crio_image_layer_reuse_total"), after.Text);
        Assert.True(after.Value("crio_image_pulls_layer_size_count") >= 1, after.Text);
        Assert.True(after.Samples.Any(s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal)), "the .NET runtime's meter is exported");
    }
}
