using System.Net;

namespace CriO.Server.Inspect;

/// <summary>
/// Reads the inspect API of a running daemon over its CRI socket, as prior-knowledge HTTP/2
/// (what the socket speaks natively; HTTP/1.1 would take the relay).
/// </summary>
public sealed class InspectClient : IDisposable
{
    private readonly HttpClient _http;

    public InspectClient(string socketPath, TimeSpan timeout)
    {
        _http = new HttpClient(Clients.UnixSocketHttpHandler.Create(socketPath))
        {
            BaseAddress = new Uri("http://localhost"),
            Timeout = timeout,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>The body of GET <paramref name="path"/>; an error status is an exception carrying the daemon's text.</summary>
    public async Task<string> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{path}: {(int)response.StatusCode} {(body.Length > 0 ? body : response.ReasonPhrase)}", null, response.StatusCode);
        }

        return body;
    }

    public void Dispose() => _http.Dispose();
}
