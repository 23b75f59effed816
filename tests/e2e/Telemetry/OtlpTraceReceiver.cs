using System.Net;
using CriO.E2E.Tests.Telemetry.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CriO.E2E.Tests.Telemetry;

/// <summary>
/// An OTLP/gRPC trace collector in the test process, on a free loopback port (h2c, as a
/// collector without TLS listens): it keeps every span the daemon exports. Disposing stops it.
/// </summary>
internal sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpTraceReceiver(WebApplication app, ReceivedSpans spans, string endpoint)
    {
        _app = app;
        Spans = spans;
        Endpoint = endpoint;
    }

    public ReceivedSpans Spans { get; }

    /// <summary>host:port, as tracing_endpoint takes it.</summary>
    public string Endpoint { get; }

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var spans = new ReceivedSpans();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(spans);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<TraceCollectorService>();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new OtlpTraceReceiver(app, spans, $"127.0.0.1:{address.Port}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
