using CriO.Server.Play;
using k8s.Models;

namespace CriO.Server.Tests.Play;

/// <summary>cgroup limits from a container's resources, with the kubelet's arithmetic.</summary>
public sealed class ContainerResourcesTests
{
    private static V1ResourceRequirements Resources(string? requestCpu = null, string? limitCpu = null, string? limitMemory = null)
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        var limits = new Dictionary<string, ResourceQuantity>();
        if (requestCpu is not null)
        {
            requests["cpu"] = new ResourceQuantity(requestCpu);
        }

        if (limitCpu is not null)
        {
            limits["cpu"] = new ResourceQuantity(limitCpu);
        }

        if (limitMemory is not null)
        {
            limits["memory"] = new ResourceQuantity(limitMemory);
        }

        return new V1ResourceRequirements { Requests = requests, Limits = limits };
    }

    [Theory]
    [InlineData("250m", null, 256, 0, 0)]
    [InlineData("1", "2", 1024, 200_000, 100_000)]
    [InlineData(null, "500m", 512, 50_000, 100_000)]   // the request defaults to the limit
    [InlineData("1m", "1m", 2, 1_000, 100_000)]        // the minimum shares and quota
    [InlineData("0.1", null, 102, 0, 0)]
    [InlineData("300", null, 262_144, 0, 0)]           // the maximum shares
    public void Cpu_requests_are_shares_and_cpu_limits_are_a_quota_per_100ms(string? request, string? limit, long shares, long quota, long period)
    {
        var result = ContainerResources.From(Resources(request, limit));

        Assert.Equal((shares, quota, period), (result.CpuShares, result.CpuQuota, result.CpuPeriod));
    }

    [Fact]
    public void No_resources_give_the_minimum_shares_and_no_limits()
    {
        var result = ContainerResources.From(null);

        Assert.Equal((2L, 0L, 0L), (result.CpuShares, result.CpuQuota, result.MemoryLimitInBytes));
    }

    [Theory]
    [InlineData("64Mi", 67_108_864)]
    [InlineData("1G", 1_000_000_000)]
    [InlineData("128974848", 128_974_848)]
    [InlineData("1.5Gi", 1_610_612_736)]
    public void A_memory_limit_is_bytes(string limit, long bytes) =>
        Assert.Equal(bytes, ContainerResources.From(Resources(limitMemory: limit)).MemoryLimitInBytes);
}
