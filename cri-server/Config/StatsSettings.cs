namespace CriO.Server.Config;

/// <summary>[crio.stats]: how often container and pod stats are gathered (0: on demand).</summary>
public sealed class StatsSettings
{
    public long StatsCollectionPeriod { get; set; }
    public long CollectionPeriod { get; set; }
    public IReadOnlyList<string> IncludedPodMetrics { get; set; } = [];
}
