namespace CriO.Server.Config;

/// <summary>[crio.tracing]: OpenTelemetry traces over OTLP.</summary>
public sealed class TracingSettings
{
    public bool EnableTracing { get; set; }
    public string TracingEndpoint { get; set; } = "127.0.0.1:4317";
    public long TracingSamplingRatePerMillion { get; set; }
}
