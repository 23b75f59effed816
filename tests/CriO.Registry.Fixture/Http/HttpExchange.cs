using System.Globalization;
using System.Text;

namespace CriO.Registry.Fixture.Http;

/// <summary>
/// One request and the raw connection to answer it on: the handler writes a head (status,
/// headers, Content-Length) and then exactly the body bytes it chooses, possibly fewer.
/// </summary>
internal sealed class HttpExchange(HttpRequest request, Stream connection)
{
    public HttpRequest Request { get; } = request;

    /// <summary>The connection, for writing the body after <see cref="WriteHeadAsync"/>.</summary>
    public Stream Body { get; } = connection;

    public bool ResponseStarted { get; private set; }

    /// <summary>Set to end the connection (with a FIN) after this exchange, e.g. after a short body.</summary>
    public bool CloseConnection { get; set; }

    public async Task WriteHeadAsync(int status, long contentLength, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (ResponseStarted)
        {
            throw new InvalidOperationException("the response has already started");
        }

        ResponseStarted = true;
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {contentLength}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        if (CloseConnection || Request.Close)
        {
            head.Append("Connection: close\r\n");
        }

        head.Append("\r\n");
        await Body.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A complete response with a small body (nothing after the head for HEAD).</summary>
    public async Task RespondAsync(int status, byte[] body, string contentType, CancellationToken cancellationToken, params KeyValuePair<string, string>[] headers)
    {
        ArgumentNullException.ThrowIfNull(body);
        await WriteHeadAsync(status, body.Length, headers.Prepend(new("Content-Type", contentType)), cancellationToken).ConfigureAwait(false);
        if (Request.Method != "HEAD")
        {
            await Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A plain-text response (errors of the server itself).</summary>
    public Task RespondAsync(int status, string text, CancellationToken cancellationToken) =>
        RespondAsync(status, Encoding.UTF8.GetBytes(text), "text/plain; charset=utf-8", cancellationToken);

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
