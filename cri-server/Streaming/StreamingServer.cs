using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using CriO.Conmon.Client;
using CriO.Server.Config;
using CriO.Server.Containers;
using CriO.Server.Daemon;
using CriO.Server.Streaming.Spdy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace CriO.Server.Streaming;

/// <summary>
/// The streaming server: HTTP/1.1 on stream_address:stream_port (0 picks a free port), TLS when
/// stream_enable_tls, behind the URLs that Exec, Attach and PortForward return
/// (<c>/exec/TOKEN</c>, <c>/attach/TOKEN</c>, <c>/portforward/TOKEN</c>). A URL opens once, within a
/// minute, upgraded to a WebSocket with one of the Kubernetes channel subprotocols or to
/// SPDY/3.1 with a remotecommand or portforward protocol.
/// </summary>
public sealed class StreamingServer(DaemonState daemon, StreamRequestCache requests, ContainerManager containers, IServer server, TimeProvider time)
{
    /// <summary>How long a SPDY client has to open the streams of its session (the kubelet's default).</summary>
    private static readonly TimeSpan StreamCreationTimeout = TimeSpan.FromSeconds(30);

    private Uri? _baseUri;

    /// <summary>Adds the streaming listener to Kestrel.</summary>
    public static void Listen(KestrelServerOptions kestrel, ApiSettings api)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(api);
        var address = IPAddress.Parse(api.StreamAddress);
        var port = int.Parse(api.StreamPort, System.Globalization.CultureInfo.InvariantCulture);
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (api.StreamEnableTls)
            {
                var https = new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = X509Certificate2.CreateFromPemFile(api.StreamTlsCert, api.StreamTlsKey),
                    ClientCertificateMode = ClientCertificateMode.NoCertificate,
                };
                if (api.StreamTlsCa.Length > 0)
                {
                    // With a CA, a client must show a certificate that chains to it (and only to it).
                    var authorities = new X509Certificate2Collection();
                    authorities.ImportFromPemFile(api.StreamTlsCa);
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) =>
                    {
                        using var chain = new X509Chain();
                        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
                        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                        return chain.Build(certificate);
                    };
                }

                listen.UseHttps(https);
            }
        });
    }

    /// <summary>Maps the three endpoints; they answer only on the streaming listener.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWebSockets();
        foreach (var kind in new[] { "exec", "attach", "portforward" })
        {
            app.Map($"/{kind}/{{token}}", (HttpContext context, string token, StreamingServer server) => server.ServeAsync(context, kind, token));
        }
    }

    /// <summary>The URL of a request kept under <paramref name="token"/>.</summary>
    public string Url(StreamRequest request, string token) => new Uri(BaseUri, $"{request.Kind}/{token}").ToString();

    /// <summary>Keeps <paramref name="request"/> and returns its URL.</summary>
    public string Register(StreamRequest request) => Url(request, requests.Insert(request));

    private Uri BaseUri => _baseUri ??= FindBaseUri();

    /// <summary>stream_idle_timeout (empty: none); checked at config load.</summary>
    private TimeSpan IdleTimeout => GoDuration.TryParse(daemon.Config.Api.StreamIdleTimeout, out var timeout) ? timeout : TimeSpan.Zero;

    private Uri FindBaseUri()
    {
        // The streaming listener is the one with an IP endpoint (the CRI socket is a unix one).
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var listening = addresses.Where(a => !a.Contains("://unix:", StringComparison.Ordinal)).Select(a => new Uri(a)).FirstOrDefault(u => u.Port > 0)
            ?? throw new InvalidOperationException("the streaming server is not listening");
        var host = daemon.Config.Api.StreamAddress is "0.0.0.0" or "::" ? "127.0.0.1" : daemon.Config.Api.StreamAddress;
        var builder = new UriBuilder(listening.Scheme, host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host, listening.Port, "/");
        return builder.Uri;
    }

    private async Task ServeAsync(HttpContext context, string kind, string token)
    {
        if (context.Connection.LocalIpAddress is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var request = requests.Consume(token);
        if (request is null || request.Kind != kind)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("unknown, used or expired streaming token\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ServeSpdyAsync(context, request).ConfigureAwait(false);
            return;
        }

        var supported = request is PortForwardStreamRequest ? ChannelWebSocket.PortForwardProtocols : ChannelWebSocket.RemoteCommandProtocols;
        var protocol = ChannelWebSocket.Negotiate(context.WebSockets.WebSocketRequestedProtocols, supported);
        if (protocol is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"no supported subprotocol offered; supported: {string.Join(", ", supported)}\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var aborted = context.RequestAborted;
        if (protocol == SpdyPortForward.TunnelProtocol)
        {
            // The name has a '/', which RFC 6455's token grammar (and so .NET's accept) refuses;
            // Go clients send and expect it as it is, so the answer's header is set by hand.
            context.Response.Headers.SecWebSocketProtocol = protocol;
            using var tunnel = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext()).ConfigureAwait(false);
            await ServeSpdyPortForwardAsync(new SpdyWebSocketTunnel(tunnel), (PortForwardStreamRequest)request, aborted).ConfigureAwait(false);

            await CloseTunnelAsync(tunnel, aborted).ConfigureAwait(false);
            return;
        }

        using var channels = new ChannelWebSocket(await context.WebSockets.AcceptWebSocketAsync(protocol).ConfigureAwait(false), protocol, IdleTimeout, time);
        if (request is PortForwardStreamRequest forward)
        {
            var ports = forward.Ports.Count > 0 ? forward.Ports : QueryPorts(context);
            await PortForwardSession.RunAsync(channels, forward, ports, aborted).ConfigureAwait(false);
        }
        else
        {
            await RunSessionAsync(channels, request, aborted).ConfigureAwait(false);
        }
    }

    private async Task ServeSpdyAsync(HttpContext context, StreamRequest request)
    {
        var supported = request is PortForwardStreamRequest ? [SpdyPortForward.Protocol] : SpdyRemoteCommand.Protocols;
        var protocol = await SpdyUpgrade.NegotiateAsync(context, supported).ConfigureAwait(false);
        if (protocol is null)
        {
            return;
        }

        var aborted = context.RequestAborted;
        var transport = await SpdyUpgrade.UpgradeAsync(context, protocol).ConfigureAwait(false);
        if (request is PortForwardStreamRequest forward)
        {
            await ServeSpdyPortForwardAsync(transport, forward, aborted).ConfigureAwait(false);
            return;
        }

        await using var connection = new SpdyConnection(transport, IdleTimeout, time);

        var (stdin, stdout, stderr, tty) = request switch
        {
            ExecStreamRequest e => (e.Stdin, e.Stdout, e.Stderr, e.Tty),
            AttachStreamRequest a => (a.Stdin, a.Stdout, a.Stderr, a.Tty),
            _ => throw new InvalidOperationException($"no SPDY session for {request.Kind}"),
        };
        using var channels = await SpdyRemoteCommand.AcceptAsync(connection, protocol, stdin, stdout, stderr, tty, StreamCreationTimeout, aborted).ConfigureAwait(false);
        if (channels is null)
        {
            // The client did not open its streams in time (or left): nothing can carry an error to it.
            return;
        }

        await RunSessionAsync(channels, request, aborted).ConfigureAwait(false);
    }

    /// <summary>Port forwarding over a SPDY connection on <paramref name="transport"/> (upgraded or tunnelled), until the client ends it.</summary>
    private async Task ServeSpdyPortForwardAsync(Stream transport, PortForwardStreamRequest forward, CancellationToken aborted)
    {
        await using var connection = new SpdyConnection(transport, IdleTimeout, time);
        await SpdyPortForward.RunAsync(connection, forward, StreamCreationTimeout, aborted).ConfigureAwait(false);
        await connection.GoAwayAsync(SpdyFrames.GoAwayOk, aborted).ConfigureAwait(false);
    }

    /// <summary>Ends a tunnel normally (client-go reads a normal closure as the connection's EOF); a client gone already is no error.</summary>
    private static async Task CloseTunnelAsync(WebSocket tunnel, CancellationToken aborted)
    {
        try
        {
            if (tunnel.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await tunnel.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client has gone.
        }
    }

    private async Task RunSessionAsync(IStreamChannels channels, StreamRequest request, CancellationToken aborted)
    {
        switch (request)
        {
            case ExecStreamRequest exec:
                await ExecSession.RunAsync(channels, exec, containers, aborted).ConfigureAwait(false);
                break;
            case AttachStreamRequest attach:
                await AttachSession.RunAsync(channels, attach, MonitorFiles.AttachSocket(daemon.Config.Runtime.ContainerAttachSocketDir, attach.ContainerId), aborted).ConfigureAwait(false);
                break;
        }
    }

    // The kubelet's clients name the ports in the query (?port=80&port=443) when the CRI call named none.
    private static List<int> QueryPorts(HttpContext context) =>
        [.. context.Request.Query["port"].Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : 0)
            .Where(p => p is > 0 and <= 65535)];
}
