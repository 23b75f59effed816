using System.Collections.Concurrent;
using System.Globalization;
using CriO.Registry.Fixture.Http;

namespace CriO.Registry.Fixture;

/// <summary>
/// A fake registry on 127.0.0.1 for the faults the real one cannot produce on demand. It
/// serves the pull side of the distribution API (<c>/v2/</c>, manifests by tag or digest,
/// blobs; GET and HEAD; Content-Type, Docker-Content-Digest, Content-Length; single byte
/// ranges on blobs) from an OCI image layout, for any repository name, and injects faults per
/// request kind and reference: wrong bytes, a truncated body, HTTP errors for the first K
/// requests, a stall mid-body, a redirect of blob GETs. It counts requests per method and path.
/// </summary>
/// <remarks>
/// Faults stay until <see cref="ClearFaults"/> (a FailFirst fault stops after its count). When
/// several match a request: FailFirst first, then the redirect, then the first registered
/// body fault (wrong bytes, truncation, stall). A fault on a manifest digest also applies when
/// the manifest is asked for by tag.
/// </remarks>
public sealed class FaultyRegistry : IAsyncDisposable
{
    /// <summary>The path blob GETs are redirected to (served from the same layout, without Docker headers, like a CDN).</summary>
    public const string RedirectPrefix = "/redirected/blobs/";

    private const string ApiVersionHeader = "Docker-Distribution-API-Version";
    private const int ChunkBytes = 64 * 1024;

    private readonly LayoutContent _content;
    private readonly List<Fault> _faults = [];
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly LoopbackHttpServer _server;
    private int _stallsStarted;
    private int _activeStalls;

    private FaultyRegistry(string layoutDirectory)
    {
        _content = new LayoutContent(layoutDirectory);
        _server = LoopbackHttpServer.Start(HandleAsync);
    }

    /// <summary>The OCI layout served.</summary>
    public string LayoutDirectory => _content.Directory;

    /// <summary>"127.0.0.1:PORT".</summary>
    public string Host => _server.Host;

    public int Port => _server.Port;

    /// <summary>http://127.0.0.1:PORT/ (plain HTTP only).</summary>
    public Uri BaseUri => new($"http://{Host}/");

    /// <summary>How long a stalled response waits for the client to give up before the registry closes it.</summary>
    public TimeSpan StallLimit { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Responses that began a stall.</summary>
    public int StallsStarted => Volatile.Read(ref _stallsStarted);

    /// <summary>Responses stalled right now (the client has not given up yet).</summary>
    public int ActiveStalls => Volatile.Read(ref _activeStalls);

    /// <summary>Requests served so far, keyed "METHOD PATH" (path percent-decoded, no query).</summary>
    public IReadOnlyDictionary<string, int> RequestCounts => new Dictionary<string, int>(_requests, StringComparer.Ordinal);

    /// <summary>Starts serving <paramref name="layoutDirectory"/> (an OCI image layout, e.g. an <c>OciLayout</c>'s folder).</summary>
    public static Task<FaultyRegistry> StartAsync(string layoutDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layoutDirectory);
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(Path.Combine(layoutDirectory, "index.json")))
        {
            throw new ArgumentException($"{layoutDirectory} is not an OCI image layout (no index.json)", nameof(layoutDirectory));
        }

        return Task.FromResult(new FaultyRegistry(layoutDirectory));
    }

    public static string ManifestPath(string repository, string reference) => $"/v2/{repository}/manifests/{reference}";

    public static string BlobPath(string repository, string digest) => $"/v2/{repository}/blobs/{digest}";

    public static string RedirectedBlobPath(string digest) => RedirectPrefix + digest;

    /// <summary>Requests to <paramref name="path"/> so far, of one method or (null) all.</summary>
    public int RequestCount(string path, string? method = null) =>
        _requests.Where(r => r.Key[(r.Key.IndexOf(' ', StringComparison.Ordinal) + 1)..] == path
                && (method is null || r.Key.StartsWith(method + " ", StringComparison.Ordinal)))
            .Sum(r => r.Value);

    /// <summary>Serves different bytes of the same length (Docker-Content-Digest and Content-Length unchanged).</summary>
    public void ServeWrongBytes(RegistryRequestKind kind, string? reference = null) => Add(new Fault(FaultType.WrongBytes, kind, reference));

    /// <summary>Sends Content-Length N, then N/2 bytes, then closes the connection.</summary>
    public void Truncate(RegistryRequestKind kind, string? reference = null) => Add(new Fault(FaultType.Truncate, kind, reference));

    /// <summary>
    /// Sends the head and half the body, then holds the connection until the client closes it,
    /// <see cref="StallLimit"/> passes or the registry is disposed.
    /// </summary>
    public void Stall(RegistryRequestKind kind, string? reference = null) => Add(new Fault(FaultType.Stall, kind, reference));

    /// <summary>Answers the first <paramref name="count"/> matching requests (any method) with <paramref name="statusCode"/>; later ones succeed.</summary>
    public void FailFirst(int count, RegistryRequestKind kind, string? reference = null, int statusCode = 500)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Add(new Fault(FaultType.FailFirst, kind, reference, count, statusCode));
    }

    /// <summary>Answers blob GETs (of one digest, or all) with 307 to <see cref="RedirectedBlobPath"/> on this server.</summary>
    public void RedirectBlobs(string? digest = null) => Add(new Fault(FaultType.Redirect, RegistryRequestKind.Blob, digest));

    public void ClearFaults()
    {
        lock (_faults)
        {
            _faults.Clear();
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private void Add(Fault fault)
    {
        lock (_faults)
        {
            _faults.Add(fault);
        }
    }

    /// <summary>The fault that applies to this request, if any (taking one from a FailFirst count).</summary>
    private Fault? TakeFault(RegistryRequestKind kind, string reference, string? digest, string method, bool redirected)
    {
        lock (_faults)
        {
            var failFirst = _faults.FirstOrDefault(f => f.Type == FaultType.FailFirst && f.Matches(kind, reference, digest));
            if (failFirst is not null)
            {
                failFirst.Remaining--;
                return failFirst;
            }

            if (method == "GET" && !redirected
                && _faults.FirstOrDefault(f => f.Type == FaultType.Redirect && f.Matches(kind, reference, digest)) is { } redirect)
            {
                return redirect;
            }

            return method == "GET"
                ? _faults.FirstOrDefault(f => f.Type is FaultType.WrongBytes or FaultType.Truncate or FaultType.Stall && f.Matches(kind, reference, digest))
                : null;
        }
    }

    private async Task HandleAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        _requests.AddOrUpdate($"{request.Method} {request.Path}", 1, (_, n) => n + 1);
        if (!Route(request.Path, out var kind, out var reference, out var redirected))
        {
            await RespondErrorAsync(exchange, 404, "NAME_UNKNOWN", "no such route", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (request.Method is not ("GET" or "HEAD"))
        {
            await RespondErrorAsync(exchange, 405, "UNSUPPORTED", "this registry only serves pulls", cancellationToken).ConfigureAwait(false);
            return;
        }

        var manifest = kind == RegistryRequestKind.Manifest ? _content.Manifest(reference) : null;
        var blobFile = kind == RegistryRequestKind.Blob ? _content.BlobFile(reference) : null;
        var fault = TakeFault(kind, reference, manifest?.Digest, request.Method, redirected);
        if (fault?.Type == FaultType.FailFirst)
        {
            await RespondErrorAsync(exchange, fault.StatusCode, "UNKNOWN", $"injected fault: HTTP {fault.StatusCode}", cancellationToken).ConfigureAwait(false);
            return;
        }

        switch (kind)
        {
            case RegistryRequestKind.Ping:
                await exchange.RespondAsync(200, "{}"u8.ToArray(), "application/json", cancellationToken, Header(ApiVersionHeader, "registry/2.0")).ConfigureAwait(false);
                return;
            case RegistryRequestKind.Manifest when manifest is { } found:
                await SendContentAsync(exchange, found.File, found.MediaType, found.Digest, fault, rangeAllowed: false, cancellationToken).ConfigureAwait(false);
                return;
            case RegistryRequestKind.Manifest:
                await RespondErrorAsync(exchange, 404, "MANIFEST_UNKNOWN", $"manifest unknown: {reference}", cancellationToken).ConfigureAwait(false);
                return;
            case RegistryRequestKind.Blob when blobFile is null:
                await RespondErrorAsync(exchange, 404, "BLOB_UNKNOWN", $"blob unknown: {reference}", cancellationToken).ConfigureAwait(false);
                return;
            case RegistryRequestKind.Blob when fault?.Type == FaultType.Redirect:
                await exchange.RespondAsync(307, [], "text/plain", cancellationToken,
                    Header("Location", new Uri(BaseUri, RedirectedBlobPath(reference)).ToString()), Header(ApiVersionHeader, "registry/2.0")).ConfigureAwait(false);
                return;
            default:
                // Redirected: a plain file server, so no registry headers.
                await SendContentAsync(exchange, blobFile!, "application/octet-stream", redirected ? null : reference, fault, rangeAllowed: true, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Parses a request path into what it asks for; false when it is no registry route.</summary>
    private static bool Route(string path, out RegistryRequestKind kind, out string reference, out bool redirected)
    {
        kind = RegistryRequestKind.Ping;
        reference = "";
        redirected = false;
        if (path is "/v2" or "/v2/")
        {
            return true;
        }

        if (path.StartsWith(RedirectPrefix, StringComparison.Ordinal))
        {
            kind = RegistryRequestKind.Blob;
            reference = path[RedirectPrefix.Length..];
            redirected = true;
            return true;
        }

        if (!path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var (segment, segmentKind) in new[] { ("/manifests/", RegistryRequestKind.Manifest), ("/blobs/", RegistryRequestKind.Blob) })
        {
            var at = path.LastIndexOf(segment, StringComparison.Ordinal);
            if (at > "/v2".Length && at + segment.Length < path.Length)
            {
                kind = segmentKind;
                reference = path[(at + segment.Length)..];
                return !reference.Contains('/', StringComparison.Ordinal);
            }
        }

        return false;
    }

    private async Task SendContentAsync(HttpExchange exchange, string file, string mediaType, string? digest, Fault? fault, bool rangeAllowed, CancellationToken cancellationToken)
    {
        var length = new FileInfo(file).Length;
        var headers = new List<KeyValuePair<string, string>> { Header("Content-Type", mediaType) };
        if (digest is not null)
        {
            headers.Add(Header("Docker-Content-Digest", digest));
            headers.Add(Header(ApiVersionHeader, "registry/2.0"));
        }

        var (status, offset, count) = (200, 0L, length);
        if (rangeAllowed)
        {
            headers.Add(Header("Accept-Ranges", "bytes"));
            if (fault is null && exchange.Request.Headers.TryGetValue("Range", out var range))
            {
                if (!TryParseRange(range, length, out offset, out count))
                {
                    headers.Add(Header("Content-Range", $"bytes */{length}"));
                    await exchange.WriteHeadAsync(416, 0, headers, cancellationToken).ConfigureAwait(false);
                    return;
                }

                status = 206;
                headers.Add(Header("Content-Range", $"bytes {offset}-{offset + count - 1}/{length}"));
            }
        }

        await exchange.WriteHeadAsync(status, count, headers, cancellationToken).ConfigureAwait(false);
        if (exchange.Request.Method == "HEAD")
        {
            return;
        }

        var cut = fault?.Type is FaultType.Truncate or FaultType.Stall ? count / 2 : count;
        await CopyAsync(exchange.Body, file, offset, cut, invert: fault?.Type == FaultType.WrongBytes, cancellationToken).ConfigureAwait(false);
        if (fault?.Type == FaultType.Stall)
        {
            await StallAsync(exchange, cancellationToken).ConfigureAwait(false);
        }

        if (cut < count)
        {
            // The promised Content-Length is not met: end the connection, the bytes sent first.
            exchange.CloseConnection = true;
        }
    }

    private async Task StallAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _stallsStarted);
        Interlocked.Increment(ref _activeStalls);
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(StallLimit);

            // The client gives up by closing the connection: reading sees the end (or a reset).
            var sink = new byte[256];
            while (await exchange.Body.ReadAsync(sink, bound.Token).ConfigureAwait(false) > 0)
            {
                // Anything the client sends while stalled is dropped; the connection ends after the stall.
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The bound passed, the registry is stopping, or the client reset the connection.
        }
        finally
        {
            Interlocked.Decrement(ref _activeStalls);
        }
    }

    private static async Task CopyAsync(Stream destination, string file, long offset, long count, bool invert, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkBytes];
        using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        source.Position = offset;
        while (count > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"{file} is shorter than expected");
            }

            if (invert)
            {
                // Every byte differs, so the digest cannot match; the length stays the same.
                for (var i = 0; i < read; i++)
                {
                    buffer[i] ^= 0xFF;
                }
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            count -= read;
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One range "bytes=FIRST-[LAST]" or "bytes=-SUFFIX" within <paramref name="length"/>.</summary>
    private static bool TryParseRange(string range, long length, out long offset, out long count)
    {
        offset = 0;
        count = 0;
        if (!range.StartsWith("bytes=", StringComparison.Ordinal) || range.Contains(',', StringComparison.Ordinal))
        {
            return false;
        }

        var spec = range["bytes=".Length..].Split('-');
        if (spec.Length != 2)
        {
            return false;
        }

        if (spec[0].Length == 0)
        {
            if (!long.TryParse(spec[1], NumberStyles.None, CultureInfo.InvariantCulture, out var suffix) || suffix == 0)
            {
                return false;
            }

            offset = Math.Max(0, length - suffix);
            count = length - offset;
            return true;
        }

        if (!long.TryParse(spec[0], NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset >= length)
        {
            return false;
        }

        var last = length - 1;
        if (spec[1].Length > 0 && (!long.TryParse(spec[1], NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < offset))
        {
            return false;
        }

        count = Math.Min(last, length - 1) - offset + 1;
        return true;
    }

    private static Task RespondErrorAsync(HttpExchange exchange, int status, string code, string message, CancellationToken cancellationToken) =>
        exchange.RespondAsync(status, JsonBytes.Error(code, message), "application/json", cancellationToken, Header(ApiVersionHeader, "registry/2.0"));

    private static KeyValuePair<string, string> Header(string name, string value) => new(name, value);
}
