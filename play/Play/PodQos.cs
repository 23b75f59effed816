using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// A pod's quality-of-service class and the oom_score_adj the kubelet gives its containers:
/// Guaranteed (every container limits cpu and memory, requests equal to limits) -997, so the
/// kernel kills them last; BestEffort (no requests or limits at all) 1000, first; Burstable
/// in between by the share of the node's memory the container requests, kept within 3..999
/// so it never ties with the other two classes.
/// </summary>
public static class PodQos
{
    public const string Guaranteed = "Guaranteed";
    public const string Burstable = "Burstable";
    public const string BestEffort = "BestEffort";

    public const long GuaranteedOomScoreAdj = -997;
    public const long BestEffortOomScoreAdj = 1000;

    private static readonly string[] Resources = ["cpu", "memory"];

    public static string Class(V1PodSpec spec)
    {
        var containers = (spec.InitContainers ?? []).Concat(spec.Containers).ToList();
        if (containers.All(c => !Resources.Any(r => Has(c.Resources?.Requests, r) || Has(c.Resources?.Limits, r))))
        {
            return BestEffort;
        }

        return containers.All(IsGuaranteed) ? Guaranteed : Burstable;
    }

    public static long OomScoreAdj(V1PodSpec spec, V1Container container, long memoryCapacity)
    {
        switch (Class(spec))
        {
            case Guaranteed:
                return GuaranteedOomScoreAdj;
            case BestEffort:
                return BestEffortOomScoreAdj;
        }

        var request = Quantity(container.Resources?.Requests, "memory") ?? Quantity(container.Resources?.Limits, "memory") ?? 0;
        var adjust = memoryCapacity <= 0 ? BestEffortOomScoreAdj : 1000 - (long)(1000 * request / memoryCapacity);
        return Math.Clamp(adjust, 1000 + GuaranteedOomScoreAdj, BestEffortOomScoreAdj - 1);
    }

    /// <summary>MemTotal of /proc/meminfo in bytes (the kubelet's machine memory capacity); 0 when unknown.</summary>
    public static long MachineMemory(string meminfo = "/proc/meminfo")
    {
        var line = File.Exists(meminfo) ? File.ReadLines(meminfo).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        var words = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words is { Length: >= 2 } && long.TryParse(words[1], out var kibibytes) ? kibibytes * 1024 : 0;
    }

    // Requests left out default to the limits, as the API server fills them in.
    private static bool IsGuaranteed(V1Container container) => Resources.All(r =>
        Quantity(container.Resources?.Limits, r) is { } limit && (Quantity(container.Resources?.Requests, r) ?? limit) == limit);

    private static bool Has(IDictionary<string, ResourceQuantity>? quantities, string name) => quantities?.ContainsKey(name) == true;

    private static decimal? Quantity(IDictionary<string, ResourceQuantity>? quantities, string name) =>
        quantities is not null && quantities.TryGetValue(name, out var quantity) && quantity is not null ? quantity.ToDecimal() : null;
}
