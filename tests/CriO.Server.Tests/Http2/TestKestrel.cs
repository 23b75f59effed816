using CriO.Server.Http2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace CriO.Server.Tests.Http2;

/// <summary>
/// A real in-process Kestrel on a unix socket, HTTP/2 only, with or without the authority
/// rewriting, answering GET / with what <paramref name="answer"/> makes of the request.
/// </summary>
internal static class TestKestrel
{
    public static async Task<WebApplication> StartAsync(
        string socketPath, bool rewrite, Func<HttpContext, string> answer, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socketPath, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (rewrite)
            {
                listen.UseAuthorityRewriting();
            }
        }));

        WebApplication app = builder.Build();
        app.MapGet("/", answer);
        await app.StartAsync(cancellationToken);
        return app;
    }
}
