using CriO.E2E.Tests.Fixtures;

namespace CriO.E2E.Tests.Telemetry;

/// <summary>Spans of a real daemon (enable_tracing) exported over OTLP/gRPC to a collector in the test.</summary>
public sealed class TracingTests
{
    private static readonly TimeSpan ExportWait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task RunPodSandbox_and_the_container_calls_are_exported_with_their_steps_as_child_spans()
    {
        await using var collector = await OtlpTraceReceiver.StartAsync();
        await using var setup = await ContainerHost.StartAsync(prepare: host => TelemetryConfig.EnableTracing(host.Folder, collector.Endpoint));

        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("traced"));
        await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);

        var spans = await collector.Spans.WaitForAsync(
            s => ChildrenOf(s, "RunPodSandbox").Any(c => c.Name == "cni ADD")
                && ChildrenOf(s, "CreateContainer").Any(c => c.Name == "conmon start")
                && ChildrenOf(s, "StartContainer").Any(c => c.Name == "runtime start")
                && ChildrenOf(s, "PullImage").Any(c => c.Name == "layer pull"),
            ExportWait, "RunPodSandbox, CreateContainer, StartContainer and PullImage with their steps");

        var run = spans.Single(s => s.Name == "RunPodSandbox");
        Assert.Equal("CriO.Server", run.Source);
        Assert.Equal("", run.ParentSpanId);
        var steps = ChildrenOf(spans, "RunPodSandbox");
        Assert.All(steps, step => Assert.Equal(run.TraceId, step.TraceId));
        Assert.Contains(steps, step => step is { Name: "cni ADD", Source: "CriO.Cni" });
        Assert.Contains(steps, step => step is { Name: "storage create container", Source: "CriO.Storage" });

        // A layer is applied to the store while it streams in: the apply nests under the pull.
        var layerPull = ChildrenOf(spans, "PullImage").First(c => c.Name == "layer pull");
        Assert.Contains(spans, s => s.Name == "layer apply" && s.ParentSpanId == layerPull.SpanId && s.TraceId == layerPull.TraceId);
    }

    private static List<ReceivedSpan> ChildrenOf(IReadOnlyList<ReceivedSpan> spans, string rpc)
    {
        var parents = spans.Where(s => s.Name == rpc).Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        return [.. spans.Where(s => parents.Contains(s.ParentSpanId))];
    }
}
