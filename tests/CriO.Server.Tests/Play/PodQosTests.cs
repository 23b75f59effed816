using CriO.Server.Play;

namespace CriO.Server.Tests.Play;

/// <summary>QoS classes and the oom_score_adj the kubelet derives from them.</summary>
public sealed class PodQosTests
{
    private const long Gibibyte = 1L << 30;

    private static PodManifest Pod(string resources, string initResources = "{}") => PodManifest.Parse($$"""
        apiVersion: v1
        kind: Pod
        metadata: { name: qos }
        spec:
          initContainers: [{ name: init, image: busybox, resources: {{initResources}} }]
          containers: [{ name: main, image: busybox, resources: {{resources}} }]
        """);

    [Theory]
    [InlineData("{}", "{}", PodQos.BestEffort)]
    [InlineData("{ limits: { cpu: 1, memory: 1Gi } }", "{ limits: { cpu: 1, memory: 1Gi } }", PodQos.Guaranteed)]
    [InlineData("{ limits: { cpu: 1, memory: 1Gi }, requests: { cpu: 1, memory: 1Gi } }", "{ limits: { cpu: 100m, memory: 64Mi } }", PodQos.Guaranteed)]
    [InlineData("{ limits: { cpu: 1, memory: 1Gi }, requests: { cpu: 500m } }", "{ limits: { cpu: 1, memory: 1Gi } }", PodQos.Burstable)]
    [InlineData("{ limits: { cpu: 1, memory: 1Gi } }", "{}", PodQos.Burstable)]
    [InlineData("{ requests: { memory: 1Gi } }", "{}", PodQos.Burstable)]
    public void The_class_follows_the_requests_and_limits_of_every_container(string resources, string initResources, string expected) =>
        Assert.Equal(expected, PodQos.Class(Pod(resources, initResources).Pod.Spec));

    [Theory]
    [InlineData("{}", 1000)]
    [InlineData("{ limits: { cpu: 1, memory: 1Gi } }", 875)]     // Burstable (the init container has none): 1000 - 1000 * 1/8
    [InlineData("{ requests: { memory: 2Gi } }", 750)]
    [InlineData("{ requests: { memory: 8Gi } }", 3)]             // never as low as Guaranteed
    [InlineData("{ requests: { memory: 1Ki } }", 999)]           // never as high as BestEffort
    public void Oom_score_adj_is_by_class_and_for_Burstable_by_the_memory_request_share(string resources, long expected)
    {
        var manifest = Pod(resources);

        Assert.Equal(expected, PodQos.OomScoreAdj(manifest.Pod.Spec, manifest.Pod.Spec.Containers[0], 8 * Gibibyte));
    }

    [Fact]
    public void Guaranteed_containers_get_the_lowest_score()
    {
        var manifest = Pod("{ limits: { cpu: 1, memory: 1Gi } }", "{ limits: { cpu: 1, memory: 1Gi } }");

        Assert.Equal(PodQos.GuaranteedOomScoreAdj, PodQos.OomScoreAdj(manifest.Pod.Spec, manifest.Pod.Spec.Containers[0], 8 * Gibibyte));
    }
}
