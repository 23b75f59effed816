using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CriO.Server.Streaming.Spdy;

/// <summary>
/// The HTTP/1.1 handshake into SPDY/3.1, as the Kubernetes streaming clients make it: an
/// <c>Upgrade: SPDY/3.1</c> request offering protocols in <c>X-Stream-Protocol-Version</c>
/// headers (first offered that we speak wins), answered with 101 and the chosen protocol.
/// </summary>
internal static class SpdyUpgrade
{
    public const string ProtocolHeader = "X-Stream-Protocol-Version";
    public const string AcceptedProtocolsHeader = "X-Accepted-Stream-Protocol-Versions";
    private const string Upgrade = "SPDY/3.1";

    /// <summary>
    /// The protocol to speak; null when the request cannot be upgraded, after answering it
    /// (400 without the upgrade or protocol headers, 403 with the protocols we speak when none fits).
    /// </summary>
    public static async Task<string?> NegotiateAsync(HttpContext context, IReadOnlyList<string> supported)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(supported);
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true } || !string.Equals(context.Request.Headers.Upgrade, Upgrade, StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest,
                "unable to upgrade: streaming needs an Upgrade to SPDY/3.1 or to websocket (with a channel.k8s.io subprotocol)").ConfigureAwait(false);
            return null;
        }

        var offered = context.Request.Headers[ProtocolHeader]
            .SelectMany(value => (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        if (offered.Count == 0)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, $"unable to upgrade: {ProtocolHeader} is required").ConfigureAwait(false);
            return null;
        }

        var protocol = offered.FirstOrDefault(p => supported.Contains(p, StringComparer.Ordinal));
        if (protocol is null)
        {
            context.Response.Headers[AcceptedProtocolsHeader] = supported.ToArray();
            await RefuseAsync(context, StatusCodes.Status403Forbidden,
                $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(' ', offered)}], server accepts [{string.Join(' ', supported)}]").ConfigureAwait(false);
            return null;
        }

        return protocol;
    }

    /// <summary>Answers 101 with <paramref name="protocol"/> and returns the connection's byte stream.</summary>
    public static Task<Stream> UpgradeAsync(HttpContext context, string protocol)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers[ProtocolHeader] = protocol;
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = Upgrade;
        return context.Features.GetRequiredFeature<IHttpUpgradeFeature>().UpgradeAsync();
    }

    private static Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }
}
