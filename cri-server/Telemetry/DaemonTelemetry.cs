using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using CriO.Cni;
using CriO.Conmon.Client;
using CriO.Image;
using CriO.Image.Pull;
using CriO.Oci.Runtime;
using CriO.Server.Config;
using CriO.Server.Daemon;
using CriO.Server.Grpc;
using CriO.Storage.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CriO.Server.Telemetry;

/// <summary>
/// OpenTelemetry for the daemon, per [crio.metrics] and [crio.tracing]: a Prometheus endpoint
/// (GET /metrics on its own HTTP/1.1 listener) and OTLP trace export. Nothing of it is built
/// when both are off, so an idle daemon pays for neither the SDK nor its exporters.
/// </summary>
public static class DaemonTelemetry
{
    public const string MetricsPath = "/metrics";

    // The key that marks a connection of the metrics listener.
    private static readonly ListenerMark MetricsListener = new();

    /// <summary>The .NET runtime's built-in meter (GC, JIT, thread pool, exceptions; .NET 9 and later).</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// Series kept per metric. The SDK's default (2000) is allocated up front for every metric,
    /// some 10 MB of the daemon's memory for the ~40 metrics here; the busiest (calls by
    /// operation and status) needs well under this. Series beyond it are summed under
    /// <c>otel_metric_overflow="true"</c>.
    /// </summary>
    public const int SeriesPerMetric = 256;

    /// <summary>Every trace source of the daemon and of the libraries it drives.</summary>
    public static IReadOnlyList<string> ActivitySourceNames { get; } =
    [
        CriActivitySource.Name,
        ImageActivitySource.Name,
        StorageActivitySource.Name,
        CniActivitySource.Name,
        OciActivitySource.Name,
        ConmonActivitySource.Name,
    ];

    /// <summary>Registers the providers (and the metrics listener) that the config turns on.</summary>
    public static void Add(WebApplicationBuilder builder, CrioConfig config)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(config);
        var metrics = config.Metrics;
        var tracing = config.Tracing;
        if (!metrics.EnableMetrics && !tracing.EnableTracing)
        {
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("crio", serviceVersion: CrioVersion.Current));
        if (metrics.EnableMetrics)
        {
            telemetry.WithMetrics(meters => meters
                .AddMeter(CrioMetrics.MeterName, PullMetrics.MeterName, RuntimeMeterName)
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = SeriesPerMetric })
                .AddPrometheusExporter(prometheus =>
                {
                    // CRI-O's endpoint has neither: its series carry only their own labels.
                    prometheus.ScopeInfoEnabled = false;
                    prometheus.TargetInfoEnabled = false;
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));
            builder.WebHost.ConfigureKestrel(kestrel => ListenForScrapes(kestrel, metrics));
        }

        if (tracing.EnableTracing)
        {
            telemetry.WithTracing(traces => traces
                .AddSource([.. ActivitySourceNames])
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(SamplingRatio(tracing.TracingSamplingRatePerMillion))))
                .AddOtlpExporter(otlp =>
                {
                    otlp.Endpoint = OtlpEndpoint(tracing.TracingEndpoint);
                    otlp.Protocol = OtlpExportProtocol.Grpc;
                }));
        }
    }

    /// <summary>Serves GET /metrics on the metrics listener only, when metrics are on.</summary>
    public static void Map(WebApplication app, CrioConfig config)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(config);
        if (config.Metrics.EnableMetrics)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Request.Path == MetricsPath && OnMetricsListener(context));

            // The listener is for scrapes only: the streaming routes stay off it.
            app.Use((context, next) =>
            {
                if (OnMetricsListener(context))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });
        }
    }

    /// <summary>CRI-O's form is host:port with no scheme ("127.0.0.1:4317"); OTLP over gRPC wants a URI.</summary>
    public static Uri OtlpEndpoint(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new Uri(endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : "http://" + endpoint);
    }

    /// <summary>tracing_sampling_rate_per_million as a ratio, clamped: 1000000 (or more) samples every trace.</summary>
    public static double SamplingRatio(long perMillion) => Math.Clamp(perMillion, 0, 1_000_000) / 1_000_000.0;

    private static void ListenForScrapes(KestrelServerOptions kestrel, MetricsSettings metrics)
    {
        var certificate = metrics.MetricsCert.Length > 0 && metrics.MetricsKey.Length > 0
            ? X509Certificate2.CreateFromPemFile(metrics.MetricsCert, metrics.MetricsKey)
            : null;
        void Configure(ListenOptions listen)
        {
            listen.Protocols = HttpProtocols.Http1;
            MetricsListener.Apply(listen);
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }

        if (metrics.MetricsSocket.Length > 0)
        {
            // A socket left by an earlier daemon would make the bind fail; anything else at that
            // path is not ours to delete (the bind then fails and says so).
            CriSocket.Remove(metrics.MetricsSocket);
            kestrel.ListenUnixSocket(metrics.MetricsSocket, Configure);
        }
        else
        {
            kestrel.Listen(new IPEndPoint(MetricsAddress(metrics.MetricsHost), (int)metrics.MetricsPort), Configure);
        }
    }

    private static IPAddress MetricsAddress(string host) =>
        IPAddress.TryParse(host, out var address) ? address
        : host.Length == 0 ? IPAddress.Any
        : Dns.GetHostAddresses(host).First(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6);

    // The CRI socket and the streaming server share the application: connections accepted by
    // the metrics listener are marked when accepted, so /metrics answers there only.
    private static bool OnMetricsListener(HttpContext context) => MetricsListener.IsOn(context);
}
