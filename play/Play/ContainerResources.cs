using CriO.Cri;
using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// A container's cgroup limits from its resources, computed as the kubelet computes them:
/// cpu shares from the request (the limit when no request is given, as the API server
/// defaults it; 2 when neither is, the kernel's minimum), CFS quota from the limit over a
/// 100 ms period (at least 1 ms), memory limit in bytes from the limit.
/// </summary>
public static class ContainerResources
{
    public const long CpuPeriod = 100_000;
    public const long MinShares = 2;
    public const long MaxShares = 262_144;
    public const long MinQuota = 1_000;
    private const long SharesPerCpu = 1024;

    public static LinuxContainerResources From(V1ResourceRequirements? resources, string field = "resources")
    {
        var cpuLimit = MilliCpu(resources?.Limits, field + ".limits.cpu");
        var cpuRequest = MilliCpu(resources?.Requests, field + ".requests.cpu") ?? cpuLimit;
        var memoryLimit = Bytes(resources?.Limits, field + ".limits.memory");
        var result = new LinuxContainerResources { CpuShares = Shares(cpuRequest ?? 0) };
        if (cpuLimit is { } limit)
        {
            result.CpuPeriod = CpuPeriod;
            result.CpuQuota = Quota(limit);
        }

        if (memoryLimit is { } memory)
        {
            result.MemoryLimitInBytes = memory;
        }

        return result;
    }

    public static long Shares(long milliCpu) =>
        milliCpu == 0 ? MinShares : Math.Clamp(milliCpu * SharesPerCpu / 1000, MinShares, MaxShares);

    public static long Quota(long milliCpu) =>
        milliCpu == 0 ? 0 : Math.Max(milliCpu * CpuPeriod / 1000, MinQuota);

    // Quantities round up to the next milli-CPU and byte, as resource.Quantity's MilliValue and Value do.
    private static long? MilliCpu(IDictionary<string, ResourceQuantity>? quantities, string field) =>
        Read(quantities, "cpu", field) is { } cpu ? (long)decimal.Ceiling(cpu * 1000) : null;

    private static long? Bytes(IDictionary<string, ResourceQuantity>? quantities, string field) =>
        Read(quantities, "memory", field) is { } bytes ? (long)decimal.Ceiling(bytes) : null;

    private static decimal? Read(IDictionary<string, ResourceQuantity>? quantities, string name, string field)
    {
        if (quantities is null || !quantities.TryGetValue(name, out var quantity) || quantity is null)
        {
            return null;
        }

        decimal value;
        try
        {
            value = quantity.ToDecimal();
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new ManifestException($"{field}: \"{quantity}\" is not a quantity", e);
        }

        return value < 0 ? throw new ManifestException($"{field}: {quantity} is negative") : value;
    }
}
