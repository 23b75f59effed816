using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CriO.Server.Http2;

/// <summary>Hooks <see cref="AuthorityRewritingConnectionMiddleware"/> into a Kestrel endpoint.</summary>
internal static class AuthorityRewritingListenOptionsExtensions
{
    /// <summary>
    /// Rewrites invalid <c>:authority</c> values on this endpoint's HTTP/2 connections to
    /// <c>localhost</c>. Meant for cleartext unix socket endpoints (prior-knowledge h2c): over TLS
    /// the middleware would see ciphertext, find no HTTP/2 preface and pass everything through.
    /// </summary>
    public static ListenOptions UseAuthorityRewriting(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);

        // Read when Kestrel builds the pipeline, after all options are set, not when this is called.
        listenOptions.Use(next => new AuthorityRewritingConnectionMiddleware(
            next,
            listenOptions.KestrelServerOptions.Limits.Http2.HeaderTableSize).OnConnectionAsync);
        return listenOptions;
    }
}
