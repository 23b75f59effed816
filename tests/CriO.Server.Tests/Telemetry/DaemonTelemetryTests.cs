using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CriO.Image.Pull;
using CriO.Server.Config;
using CriO.Server.Telemetry;
using CriO.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace CriO.Server.Tests.Telemetry;

/// <summary>
/// The telemetry wiring in a real (in-process) host with the real Prometheus exporter: the
/// scraped names must be CRI-O's exactly, whatever suffixes the exporter adds on its own.
/// </summary>
public sealed class DaemonTelemetryTests
{
    [Theory]
    [InlineData("127.0.0.1:4317", "http://127.0.0.1:4317/")]
    [InlineData("collector.local:4317", "http://collector.local:4317/")]
    [InlineData("https://collector.local:4317", "https://collector.local:4317/")]
    public void A_tracing_endpoint_without_a_scheme_is_plain_http(string configured, string expected)
    {
        Assert.Equal(new Uri(expected), DaemonTelemetry.OtlpEndpoint(configured));
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(250_000, 0.25)]
    [InlineData(1_000_000, 1.0)]
    [InlineData(5_000_000, 1.0)]
    [InlineData(-1, 0.0)]
    public void The_sampling_rate_per_million_becomes_a_ratio(long perMillion, double ratio)
    {
        Assert.Equal(ratio, DaemonTelemetry.SamplingRatio(perMillion));
    }

    [Fact]
    public async Task Metrics_scrape_under_CRI_Os_names_and_labels()
    {
        var config = new CrioConfig();
        config.Metrics.EnableMetrics = true;
        config.Metrics.MetricsPort = LoopbackPort.PickFree();
        await using var app = await StartAsync(config);

        // A call name no other test uses: the meters are process-wide.
        CrioMetrics.OperationDone("TelemetryUnitTestCall", TimeSpan.FromMilliseconds(30), errorType: null);
        CrioMetrics.OperationDone("TelemetryUnitTestCall", TimeSpan.FromMilliseconds(30), errorType: "NotFound");
        PullMetrics.LayerPulled("application/vnd.oci.image.layer.v1.tar+gzip", 2048);
        PullMetrics.LayerReused();
        CrioMetrics.EventsDropped(1);
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{config.Metrics.MetricsPort}/metrics"));
        using var elsewhere = await http.GetAsync(new Uri($"http://127.0.0.1:{config.Metrics.MetricsPort}/exec/abc"));
        await app.StopAsync();

        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        AssertSeries(text, "crio_operations_total", "2", "operation_type=\"TelemetryUnitTestCall\"");
        AssertSeries(text, "crio_operations_errors_total", "1", "operation_type=\"TelemetryUnitTestCall\"", "error_type=\"NotFound\"");
        AssertSeries(text, "crio_operations_latency_seconds_bucket", "2", "operation_type=\"TelemetryUnitTestCall\"", "le=\"0.05\"");
        AssertSeries(text, "crio_image_pulls_bytes_total", null, "mediatype=\"application/vnd.oci.image.layer.v1.tar+gzip\"");
        AssertSeries(text, "crio_image_pulls_layer_size_bucket", null, "le=\"4096\"");
        AssertSeries(text, "crio_image_layer_reuse_total", null);
        AssertSeries(text, "crio_containers_dropped_events_total", null);
        Assert.DoesNotContain("otel_scope_name", text, StringComparison.Ordinal);
        Assert.DoesNotContain("target_info", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_metrics_socket_set_the_scrape_is_served_on_that_unix_socket()
    {
        var folder = Directory.CreateTempSubdirectory("crio-metrics-");
        try
        {
            var config = new CrioConfig();
            config.Metrics.EnableMetrics = true;
            config.Metrics.MetricsSocket = Path.Combine(folder.FullName, "metrics.sock");
            await using var app = await StartAsync(config);
            CrioMetrics.OperationDone("TelemetrySocketTestCall", TimeSpan.FromMilliseconds(1), errorType: null);
            using var http = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(config.Metrics.MetricsSocket), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            });

            var text = await http.GetStringAsync(new Uri("http://localhost/metrics"));
            await app.StopAsync();

            AssertSeries(text, "crio_operations_total", "1", "operation_type=\"TelemetrySocketTestCall\"");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task With_metrics_cert_and_key_the_scrape_is_served_over_TLS()
    {
        var folder = Directory.CreateTempSubdirectory("crio-metrics-");
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            var config = new CrioConfig();
            config.Metrics.EnableMetrics = true;
            config.Metrics.MetricsPort = LoopbackPort.PickFree();
            config.Metrics.MetricsCert = Path.Combine(folder.FullName, "metrics.crt");
            config.Metrics.MetricsKey = Path.Combine(folder.FullName, "metrics.key");
            await File.WriteAllTextAsync(config.Metrics.MetricsCert, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(config.Metrics.MetricsKey, key.ExportPkcs8PrivateKeyPem());
            await using var app = await StartAsync(config);
            CrioMetrics.OperationDone("TelemetryTlsTestCall", TimeSpan.FromMilliseconds(1), errorType: null);
            using var http = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString() },
            });

            var text = await http.GetStringAsync(new Uri($"https://127.0.0.1:{config.Metrics.MetricsPort}/metrics"));
            await app.StopAsync();

            AssertSeries(text, "crio_operations_total", "1", "operation_type=\"TelemetryTlsTestCall\"");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<WebApplication> StartAsync(CrioConfig config)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        DaemonTelemetry.Add(builder, config);
        var app = builder.Build();
        DaemonTelemetry.Map(app, config);
        await app.StartAsync();
        return app;
    }

    // A series line: the exact name, every given label (in any order), and the value if given.
    private static void AssertSeries(string text, string name, string? value, params string[] labels)
    {
        var found = text.Split('\n').Any(line => line.StartsWith(name + "{", StringComparison.Ordinal)
            && labels.All(label => line.Contains(label, StringComparison.Ordinal))
            && (value is null || line.EndsWith("} " + value, StringComparison.Ordinal)));
        Assert.True(found, $"{name} {{{string.Join(",", labels)}}} {value} in:\n{text}");
    }
}
