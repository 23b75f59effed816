using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CriO.Image.Oci;
using CriO.Storage.IO;

namespace CriO.Image.Registry;

/// <summary>
/// A client of one registry's distribution API (OCI distribution spec): manifests with the
/// Accept list of OCI and Docker v2.2 types (schema 1 refused), blobs (redirects followed, the
/// Authorization header dropped on the way), authentication on demand, bounded retries with
/// backoff on 5xx, 429 and broken connections, and digests verified before anything is used.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    // Manifests and configs are small JSON documents; a larger answer is refused unread.
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    private static readonly string[] ManifestAccept =
        [OciMediaTypes.OciIndex, OciMediaTypes.OciManifest, OciMediaTypes.DockerManifestList, OciMediaTypes.DockerManifest];

    private static readonly HttpStatusCode[] Retryable =
        [HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout, HttpStatusCode.TooManyRequests];

    private readonly RegistryEndpoint _endpoint;
    private readonly RegistryClientOptions _options;
    private readonly HttpClient _http;
    private readonly RegistryAuthenticator _authenticator;
    private readonly ConcurrentDictionary<string, AuthenticationHeaderValue> _authorization = new(StringComparer.Ordinal);
    private volatile string _scheme;

    public RegistryClient(RegistryEndpoint endpoint, RegistryCredentials credentials, RegistryClientOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _options = options ?? new RegistryClientOptions();
        _scheme = "https";
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = RegistryTls.Options(endpoint),
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd($"crio/{typeof(RegistryClient).Assembly.GetName().Version}");
        _authenticator = new RegistryAuthenticator(_http, credentials ?? RegistryCredentials.Anonymous, time ?? TimeProvider.System);
    }

    public RegistryEndpoint Endpoint => _endpoint;

    /// <summary>Fetches a manifest or index by tag or digest, checking it against the digest.</summary>
    public async Task<ManifestResponse> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v2/{repository}/manifests/{reference}", repository,
            request => request.Headers.Accept.ParseAdd(string.Join(", ", ManifestAccept)), cancellationToken).ConfigureAwait(false);
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (mediaType.StartsWith("application/vnd.docker.distribution.manifest.v1", StringComparison.Ordinal))
        {
            throw new RegistryException($"{_endpoint.Host}/{repository}:{reference} is a Docker schema 1 manifest, which is not supported (deprecated since 2017); push it again with a current client");
        }

        var bytes = await ReadBoundedAsync(response, MaxManifestBytes, "manifest", cancellationToken).ConfigureAwait(false);
        var digest = Digests.Sha256(bytes);
        if (reference.Contains(':', StringComparison.Ordinal))
        {
            Digests.Verify(reference, bytes, $"manifest {repository}@{reference}");
        }
        else if (response.Headers.TryGetValues("Docker-Content-Digest", out var claimed) && claimed.FirstOrDefault() is { } header && header.StartsWith("sha256:", StringComparison.Ordinal) && header != digest)
        {
            throw new InvalidDataException($"manifest {repository}:{reference}: the registry says {header}, the content is {digest}");
        }

        if (string.IsNullOrEmpty(mediaType) || mediaType is "application/json" or "text/plain")
        {
            // Some registries do not label manifests; the document says what it is.
            mediaType = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.OciManifest)?.MediaType ?? OciMediaTypes.OciManifest;
        }

        return new ManifestResponse(bytes, mediaType, digest);
    }

    /// <summary>A small blob (an image config) read whole, bounded, and checked against its digest.</summary>
    public async Task<byte[]> GetBlobBytesAsync(string repository, string digest, int maxBytes, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}", repository, null, cancellationToken).ConfigureAwait(false);
        var bytes = await ReadBoundedAsync(response, maxBytes, $"blob {digest}", cancellationToken).ConfigureAwait(false);
        Digests.Verify(digest, bytes, $"blob {repository}@{digest}");
        return bytes;
    }

    /// <summary>
    /// Opens a blob (a layer) as a stream; the caller checks the digest of what it reads. The
    /// stream fails when the body stalls longer than the progress timeout.
    /// </summary>
    public async Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}", repository, null, cancellationToken).ConfigureAwait(false);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ResponseStream(new ProgressTimeoutStream(body, _options.ProgressTimeout, $"{_endpoint.Host}/{repository}@{digest}"), response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string repository, Action<HttpRequestMessage>? configure, CancellationToken cancellationToken)
    {
        var scope = $"repository:{repository}:pull";
        var answeredChallenge = false;
        Exception? lastError = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri($"{_scheme}://{_endpoint.ApiHost}{path}"));
            configure?.Invoke(request);
            if (_authorization.TryGetValue(scope, out var authorization))
            {
                request.Headers.Authorization = authorization;
            }

            HttpResponseMessage response;
            using var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            headersTimeout.CancelAfter(_options.RequestTimeout);
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (_endpoint.Insecure && _scheme == "https" && e.HttpRequestError is HttpRequestError.SecureConnectionError or HttpRequestError.ConnectionError)
            {
                // An insecure registry may speak plain HTTP only: containers/image falls back the same way.
                _scheme = "http";
                lastError = e;
                attempt--;
                continue;
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                lastError = e;
                await BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && !answeredChallenge)
            {
                answeredChallenge = true;
                using (response)
                {
                    var answer = await _authenticator.AnswerAsync(response, scope, cancellationToken).ConfigureAwait(false)
                        ?? throw new RegistryException($"{_endpoint.Host}: authentication required for {repository} and no usable credentials were given", HttpStatusCode.Unauthorized);
                    _authorization[scope] = answer;
                }

                attempt--;
                continue;
            }

            if (Retryable.Contains(response.StatusCode) && attempt < _options.MaxAttempts)
            {
                lastError = new RegistryException($"{_endpoint.Host}{path}: HTTP {(int)response.StatusCode}", response.StatusCode);
                response.Dispose();
                await BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    throw await ErrorAsync(response, path, cancellationToken).ConfigureAwait(false);
                }
            }

            return response;
        }

        throw new RegistryException($"{_endpoint.Host}{path}: gave up after {_options.MaxAttempts} attempts: {lastError?.Message}", (lastError as RegistryException)?.Status, lastError);
    }

    private async Task BackoffAsync(int attempt, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromTicks(Math.Min(_options.MaxBackoff.Ticks, _options.InitialBackoff.Ticks << Math.Min(attempt - 1, 16)));
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RegistryException> ErrorAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        var detail = "";
        try
        {
            var body = await ReadBoundedAsync(response, 64 * 1024, "error", cancellationToken).ConfigureAwait(false);
            var errors = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.RegistryErrors)?.Errors;
            detail = errors is { Count: > 0 } ? ": " + string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}")) : "";
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException)
        {
            // The status code says enough.
        }

        var what = response.StatusCode switch
        {
            HttpStatusCode.NotFound => "not found",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "access denied",
            _ => $"HTTP {(int)response.StatusCode}",
        };
        return new RegistryException($"{_endpoint.Host}{path}: {what}{detail}", response.StatusCode);
    }

    // Every body, small ones included, is read under the no-progress guard: a stalled config is as stuck as a stalled layer.
    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int maxBytes, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new InvalidDataException($"{what} is {response.Content.Headers.ContentLength} bytes, more than the {maxBytes} allowed");
        }

        await using var body = new ProgressTimeoutStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _options.ProgressTimeout, $"{_endpoint.Host} {what}");
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new InvalidDataException($"{what} is more than the {maxBytes} bytes allowed");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>A body stream that disposes its response with it.</summary>
    private sealed class ResponseStream(Stream inner, HttpResponseMessage response) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);


        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
