using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Telemetry;

/// <summary>Drop-in config turning the daemon's metrics or tracing on, for the telemetry tests.</summary>
internal static class TelemetryConfig
{
    /// <summary>[crio.metrics] on a free loopback port; the scrape URL.</summary>
    public static Uri EnableMetrics(CrioFolder folder)
    {
        var port = LoopbackPort.PickFree();
        File.WriteAllText(Path.Combine(folder.DropInDirectory, "50-metrics.conf"), $"""
            [crio.metrics]
            enable_metrics = true
            metrics_host = "127.0.0.1"
            metrics_port = {port}
            """);
        return new Uri($"http://127.0.0.1:{port}/metrics");
    }

    /// <summary>[crio.tracing] to <paramref name="endpoint"/>, every trace sampled, exported within a fraction of a second.</summary>
    public static void EnableTracing(CrioFolder folder, string endpoint)
    {
        File.WriteAllText(Path.Combine(folder.DropInDirectory, "50-tracing.conf"), $"""
            [crio.tracing]
            enable_tracing = true
            tracing_endpoint = "{endpoint}"
            tracing_sampling_rate_per_million = 1000000
            """);

        // The batch exporter's standard knob (default 5 s): keeps the test's waits short.
        folder.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
    }
}
