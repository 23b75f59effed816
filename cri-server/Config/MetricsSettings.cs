namespace CriO.Server.Config;

/// <summary>[crio.metrics]: the Prometheus endpoint.</summary>
public sealed class MetricsSettings
{
    public bool EnableMetrics { get; set; }
    public string MetricsHost { get; set; } = "127.0.0.1";
    public long MetricsPort { get; set; } = 9090;
    public string MetricsSocket { get; set; } = "";
    public string MetricsCert { get; set; } = "";
    public string MetricsKey { get; set; } = "";
}
