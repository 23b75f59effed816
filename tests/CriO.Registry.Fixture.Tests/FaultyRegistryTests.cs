using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using CriO.TestImages;

namespace CriO.Registry.Fixture.Tests;

public sealed class FaultyRegistryTests : IDisposable
{
    private const string Repository = "test/busybox";

    private readonly string _directory = Directory.CreateTempSubdirectory("crio-faulty-").FullName;
    private readonly OciDescriptor _manifest;
    private readonly OciDescriptor _blob;
    private readonly byte[] _blobBytes;

    public FaultyRegistryTests()
    {
        var layout = new OciLayout(_directory);
        _manifest = layout.AddImage(BusyboxImages.Busybox(), "latest");
        _blobBytes = new byte[256 * 1024];
        new Random(7).NextBytes(_blobBytes);
        _blob = layout.AddBlob(_blobBytes, OciMediaTypes.LayerGzip);
    }

    private string BlobPath => FaultyRegistry.BlobPath(Repository, _blob.Digest);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Serves_manifests_by_tag_and_digest_and_blobs_with_registry_headers()
    {
        await using var registry = await FaultyRegistry.StartAsync(_directory);
        using var client = new HttpClient { BaseAddress = registry.BaseUri };

        using (var ping = await client.GetAsync(new Uri("/v2/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
            Assert.Equal("registry/2.0", ping.Headers.GetValues("Docker-Distribution-API-Version").Single());
        }

        foreach (var reference in new[] { "latest", _manifest.Digest })
        {
            foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
            {
                using var request = new HttpRequestMessage(method, FaultyRegistry.ManifestPath(Repository, reference));
                using var response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(OciMediaTypes.Manifest, response.Content.Headers.ContentType!.MediaType);
                Assert.Equal(_manifest.Digest, response.Headers.GetValues("Docker-Content-Digest").Single());
                Assert.Equal(_manifest.Size, response.Content.Headers.ContentLength);
                if (method == HttpMethod.Get)
                {
                    Assert.Equal(_manifest.Digest, TestLayer.Digest(await response.Content.ReadAsByteArrayAsync()));
                }
            }
        }

        using (var blob = await client.GetAsync(BlobPath))
        {
            Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
            Assert.Equal("application/octet-stream", blob.Content.Headers.ContentType!.MediaType);
            Assert.Equal(_blob.Digest, blob.Headers.GetValues("Docker-Content-Digest").Single());
            Assert.Equal(_blobBytes, await blob.Content.ReadAsByteArrayAsync());
        }

        using (var range = new HttpRequestMessage(HttpMethod.Get, BlobPath))
        {
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, null);
            using var partial = await client.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(_blobBytes[1000..], await partial.Content.ReadAsByteArrayAsync());
        }

        using (var missing = await client.GetAsync(FaultyRegistry.ManifestPath(Repository, "no-such-tag")))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Contains("MANIFEST_UNKNOWN", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var missingBlob = await client.GetAsync(FaultyRegistry.BlobPath(Repository, "sha256:" + new string('0', 64))))
        {
            Assert.Equal(HttpStatusCode.NotFound, missingBlob.StatusCode);
        }

        Assert.Equal(2, registry.RequestCount(FaultyRegistry.ManifestPath(Repository, "latest")));
        Assert.Equal(1, registry.RequestCount(FaultyRegistry.ManifestPath(Repository, "latest"), "HEAD"));
        Assert.Equal(2, registry.RequestCount(BlobPath, "GET"));
    }

    [Fact]
    public async Task Skopeo_pulls_from_it_and_rejects_wrong_bytes()
    {
        await using var registry = await FaultyRegistry.StartAsync(_directory);
        var target = Path.Combine(_directory, "..", Path.GetFileName(_directory) + "-copy");
        try
        {
            var (exitCode, _, errors) = await Skopeo.RunAsync("copy", "--src-tls-verify=false", $"docker://{registry.Host}/{Repository}:latest", $"oci:{target}:copy");
            Assert.True(exitCode == 0, errors);

            using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_directory, "blobs", "sha256", _manifest.Digest[7..])));
            var layer = manifest.RootElement.GetProperty("layers")[1].GetProperty("digest").GetString()!;
            registry.ServeWrongBytes(RegistryRequestKind.Blob, layer);
            Directory.Delete(target, recursive: true);
            (exitCode, _, errors) = await Skopeo.RunAsync("copy", "--src-tls-verify=false", $"docker://{registry.Host}/{Repository}:latest", $"oci:{target}:again");
            Assert.NotEqual(0, exitCode);
            Assert.Contains("digest", errors, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Wrong_bytes_keep_the_length_and_digest_header_but_not_the_content()
    {
        await using var registry = await FaultyRegistry.StartAsync(_directory);
        registry.ServeWrongBytes(RegistryRequestKind.Blob, _blob.Digest);
        using var client = new HttpClient { BaseAddress = registry.BaseUri };

        using var response = await client.GetAsync(BlobPath);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(_blob.Digest, response.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(_blob.Size, body.Length);
        Assert.NotEqual(_blob.Digest, TestLayer.Digest(body));
    }

    [Fact]
    public async Task A_truncated_body_promises_n_bytes_sends_half_and_closes()
    {
        await using var registry = await FaultyRegistry.StartAsync(_directory);
        registry.Truncate(RegistryRequestKind.Blob);
        using var client = new HttpClient { BaseAddress = registry.BaseUri };

        using var response = await client.GetAsync(BlobPath, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(_blob.Size, response.Content.Headers.ContentLength);
        var (received, failure) = await DrainAsync(await response.Content.ReadAsStreamAsync(), TimeSpan.FromSeconds(10));
        Assert.Equal(_blob.Size / 2, received);
        Assert.IsAssignableFrom<IOException>(failure);

        // Other kinds and the manifest are untouched.
        using var manifest = await client.GetAsync(FaultyRegistry.ManifestPath(Repository, "latest"));
        Assert.Equal(_manifest.Size, (await manifest.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task The_first_k_requests_fail_then_requests_succeed()
    {
        await using var registry = await FaultyRegistry.StartAsync(_directory);
        registry.FailFirst(2, RegistryRequestKind.Manifest, "latest");
        registry.FailFirst(1, RegistryRequestKind.Blob, statusCode: 503);
        using var client = new HttpClient { BaseAddress = registry.BaseUri };
        var manifestPath = FaultyRegistry.ManifestPath(Repository, "latest");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(manifestPath);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.OK], statuses);

        // A fault on a tag does not catch the same manifest asked for by digest.
        using (var byDigest = await client.GetAsync(FaultyRegistry.ManifestPath(Repository, _manifest.Digest)))
        {
            Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
        }

        using (var first = await client.GetAsync(BlobPath))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        }

        using (var second = await client.GetAsync(BlobPath))
        {
            Assert.Equal(_blobBytes, await second.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(3, registry.RequestCount(manifestPath, "GET"));
        Assert.Equal(2, registry.RequestCount(BlobPath));
    }

    [Fact]
    public async Task A_stall_sends_half_the_body_then_holds_until_the_client_gives_up()
    {
        await using var registry = await FaultyRegistry.StartAsync(_directory);
        registry.Stall(RegistryRequestKind.Blob, _blob.Digest);
        using (var client = new HttpClient { BaseAddress = registry.BaseUri })
        {
            using var response = await client.GetAsync(BlobPath, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await WaitUntilAsync(() => registry.ActiveStalls == 1);
            var clock = Stopwatch.StartNew();

            // The client gives up after a second of silence (cancelling the read closes its connection).
            var (received, failure) = await DrainAsync(await response.Content.ReadAsStreamAsync(), TimeSpan.FromSeconds(1));
            Assert.Equal(_blob.Size / 2, received);
            Assert.IsAssignableFrom<OperationCanceledException>(failure);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
            Assert.Equal(1, registry.StallsStarted);
        }

        // The client closed its connection: the registry notices and lets go.
        await WaitUntilAsync(() => registry.ActiveStalls == 0);
    }

    [Fact]
    public async Task A_stall_ends_at_its_limit_or_when_the_registry_is_disposed()
    {
        var registry = await FaultyRegistry.StartAsync(_directory);
        try
        {
            registry.Stall(RegistryRequestKind.Manifest);
            registry.StallLimit = TimeSpan.FromMilliseconds(500);
            using var client = new HttpClient { BaseAddress = registry.BaseUri };

            using (var response = await client.GetAsync(FaultyRegistry.ManifestPath(Repository, "latest"), HttpCompletionOption.ResponseHeadersRead))
            {
                var (received, failure) = await DrainAsync(await response.Content.ReadAsStreamAsync(), TimeSpan.FromSeconds(20));
                Assert.Equal(_manifest.Size / 2, received);
                Assert.IsAssignableFrom<IOException>(failure);
            }

            registry.StallLimit = TimeSpan.FromSeconds(60);
            using var stalled = await client.GetAsync(FaultyRegistry.ManifestPath(Repository, "latest"), HttpCompletionOption.ResponseHeadersRead);
            var drain = DrainAsync(await stalled.Content.ReadAsStreamAsync(), TimeSpan.FromSeconds(20));
            await WaitUntilAsync(() => registry.ActiveStalls == 1);
            var clock = Stopwatch.StartNew();
            await registry.DisposeAsync();
            var (_, ended) = await drain;
            Assert.IsAssignableFrom<IOException>(ended);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"dispose took {clock.Elapsed}");
        }
        finally
        {
            await registry.DisposeAsync();
        }
    }

    [Fact]
    public async Task Blob_gets_are_redirected_to_another_path_of_the_same_server()
    {
        await using var registry = await FaultyRegistry.StartAsync(_directory);
        registry.RedirectBlobs();
        using var noFollow = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = registry.BaseUri };
        using var client = new HttpClient { BaseAddress = registry.BaseUri };

        using (var redirect = await noFollow.GetAsync(BlobPath))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
            Assert.Equal(new Uri(registry.BaseUri, FaultyRegistry.RedirectedBlobPath(_blob.Digest)), redirect.Headers.Location);
        }

        using (var head = await noFollow.SendAsync(new HttpRequestMessage(HttpMethod.Head, BlobPath)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        using (var followed = await client.GetAsync(BlobPath))
        {
            Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
            Assert.Equal(_blobBytes, await followed.Content.ReadAsByteArrayAsync());
            Assert.False(followed.Headers.Contains("Docker-Content-Digest"));
        }

        Assert.Equal(2, registry.RequestCount(BlobPath, "GET"));
        Assert.Equal(1, registry.RequestCount(FaultyRegistry.RedirectedBlobPath(_blob.Digest)));
        Assert.Equal(1, registry.RequestCounts[$"GET {FaultyRegistry.RedirectedBlobPath(_blob.Digest)}"]);
    }

    /// <summary>Reads to the end or the first failure, bounded; returns the bytes read and the failure.</summary>
    private static async Task<(long Received, Exception? Failure)> DrainAsync(Stream body, TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        var buffer = new byte[16 * 1024];
        long received = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, deadline.Token)) > 0)
            {
                received += read;
            }

            return (received, null);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
        {
            return (received, e);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition not reached in 10 s");
            await Task.Delay(20);
        }
    }
}
