using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CriO.TestImages;

namespace CriO.Registry.Fixture.Tests;

public sealed class DistributionRegistryTests
{
    [Theory]
    [InlineData(false, RegistryAuthMode.None)]
    [InlineData(true, RegistryAuthMode.None)]
    [InlineData(false, RegistryAuthMode.Htpasswd)]
    [InlineData(true, RegistryAuthMode.Htpasswd)]
    [InlineData(false, RegistryAuthMode.Token)]
    [InlineData(true, RegistryAuthMode.Token)]
    public async Task Each_mode_answers_v2_accepts_a_push_and_serves_the_manifest_back(bool tls, RegistryAuthMode auth)
    {
        await using var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions { Tls = tls, Auth = auth });

        using var client = registry.CreateHttpClient();
        using var ping = await client.GetAsync(new Uri("/v2/", UriKind.Relative));
        Assert.Equal(auth == RegistryAuthMode.None ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, ping.StatusCode);
        Assert.Equal(tls ? "https" : "http", registry.BaseUri.Scheme);
        Assert.Equal($"127.0.0.1:{registry.Port}", registry.Host);

        var expected = ExpectedManifestDigest(BusyboxImages.Busybox());
        var digest = await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "library/busybox", "1.35");
        Assert.Equal(expected, digest);

        var manifest = await Skopeo.InspectRawAsync(registry.SkopeoOptions(), $"docker://{registry.Host}/library/busybox:1.35");
        Assert.Equal(digest, Skopeo.Digest(manifest));
        using var parsed = JsonDocument.Parse(manifest);
        Assert.Equal(OciMediaTypes.Manifest, parsed.RootElement.GetProperty("mediaType").GetString());
        Assert.Equal(3, parsed.RootElement.GetProperty("layers").GetArrayLength());
        if (auth == RegistryAuthMode.Token)
        {
            Assert.True(registry.TokenServer!.TokensIssued > 0);
        }
    }

    [Theory]
    [InlineData(RegistryAuthMode.Htpasswd)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task A_wrong_password_is_refused(RegistryAuthMode auth)
    {
        await using var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions { Auth = auth });
        await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "busybox", "latest");

        var (exitCode, _, errors) = await Skopeo.RunAsync(
            "inspect", "--raw", "--tls-verify=false", $"--creds={registry.Username}:wrong", $"docker://{registry.Host}/busybox:latest");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("unauthorized", errors, StringComparison.OrdinalIgnoreCase);

        (exitCode, _, _) = await Skopeo.RunAsync(
            "inspect", "--raw", "--tls-verify=false", "--no-creds", $"docker://{registry.Host}/busybox:latest");
        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public async Task Htpasswd_mode_challenges_for_basic_auth_and_accepts_the_account()
    {
        await using var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions { Auth = RegistryAuthMode.Htpasswd });
        using var client = registry.CreateHttpClient();

        using var challenge = await client.GetAsync(new Uri("/v2/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.StartsWith("Basic", challenge.Headers.WwwAuthenticate.Single().Scheme, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v2/", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}")));
        using var answer = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    [Fact]
    public async Task Tls_mode_is_trusted_only_through_the_test_ca_and_certs_d_layout_works()
    {
        await using var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions { Tls = true });
        await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "busybox", "latest");

        using (var untrusting = new HttpClient())
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri(registry.BaseUri, "/v2/")));
        }

        var (exitCode, _, _) = await Skopeo.RunAsync("inspect", "--raw", $"docker://{registry.Host}/busybox:latest");
        Assert.NotEqual(0, exitCode);

        var root = Directory.CreateTempSubdirectory("crio-certs-d-").FullName;
        try
        {
            var hostDirectory = registry.CreateCertsDirectory(root);
            Assert.Equal(Path.Combine(root, registry.Host), hostDirectory);
            Assert.Equal(File.ReadAllText(registry.CaCertificatePath!), File.ReadAllText(Path.Combine(hostDirectory, "ca.crt")));
            await Skopeo.InspectRawAsync([$"--cert-dir={hostDirectory}"], $"docker://{registry.Host}/busybox:latest");

            // The server certificate names both 127.0.0.1 and localhost.
            await Skopeo.InspectRawAsync([$"--cert-dir={hostDirectory}"], $"docker://localhost:{registry.Port}/busybox:latest");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Dispose_stops_the_registry_and_removes_its_folders()
    {
        var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions { Tls = true, Auth = RegistryAuthMode.Token });
        var storage = registry.StorageDirectory;
        var signingCertificate = registry.TokenServer!.SigningCertificatePath;
        var baseUri = registry.BaseUri;
        Assert.True(Directory.Exists(storage));

        await registry.DisposeAsync();

        Assert.False(Directory.Exists(storage));
        Assert.False(File.Exists(registry.ConfigPath));
        Assert.False(File.Exists(signingCertificate));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(baseUri, "/v2/")));
    }

    [Fact]
    public async Task A_multi_arch_index_is_pushed_with_all_its_manifests()
    {
        await using var registry = await DistributionRegistry.StartAsync();
        var digest = await RegistryImages.PushMultiArchAsync(registry, RegistryImages.BusyboxPlatforms(), "multi", "latest");

        var index = await Skopeo.InspectRawAsync(registry.SkopeoOptions(), $"docker://{registry.Host}/multi:latest");
        Assert.Equal(digest, Skopeo.Digest(index));
        using var parsed = JsonDocument.Parse(index);
        Assert.Equal(OciMediaTypes.Index, parsed.RootElement.GetProperty("mediaType").GetString());
        var manifests = parsed.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(["amd64", "arm64"], manifests.Select(m => m.GetProperty("platform").GetProperty("architecture").GetString()));

        // Every platform's manifest was pushed too, not only the index.
        foreach (var manifest in manifests)
        {
            var platformDigest = manifest.GetProperty("digest").GetString()!;
            var raw = await Skopeo.InspectRawAsync(registry.SkopeoOptions(), $"docker://{registry.Host}/multi@{platformDigest}");
            Assert.Equal(platformDigest, Skopeo.Digest(raw));
        }
    }

    [Fact]
    public async Task An_image_with_a_user_carries_it_in_its_config()
    {
        await using var registry = await DistributionRegistry.StartAsync();
        await RegistryImages.PushWithUserAsync(registry, "with-user", "latest");

        using var config = await Skopeo.InspectConfigAsync(registry.SkopeoOptions(), $"docker://{registry.Host}/with-user:latest");
        Assert.Equal("app", config.RootElement.GetProperty("config").GetProperty("User").GetString());
    }

    [Fact]
    public async Task The_large_image_has_five_layers_of_about_100_MB_of_incompressible_data()
    {
        await using var registry = await DistributionRegistry.StartAsync();
        var digest = await RegistryImages.PushLargeAsync(registry, "large", "latest");

        var manifest = await Skopeo.InspectRawAsync(registry.SkopeoOptions(), $"docker://{registry.Host}/large:latest");
        Assert.Equal(digest, Skopeo.Digest(manifest));
        using var parsed = JsonDocument.Parse(manifest);
        var layers = parsed.RootElement.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(5, layers.Count);
        Assert.Equal(5, layers.Select(l => l.GetProperty("digest").GetString()).Distinct().Count());

        // Random content: gzip cannot shrink it, so the compressed layers add up to at least the data.
        Assert.InRange(layers.Sum(l => l.GetProperty("size").GetInt64()), LargeImage.DefaultTotalBytes, LargeImage.DefaultTotalBytes * 11 / 10);
    }

    [Fact]
    public async Task The_large_image_is_the_same_in_every_run()
    {
        var first = Directory.CreateTempSubdirectory("crio-large-").FullName;
        var second = Directory.CreateTempSubdirectory("crio-large-").FullName;
        try
        {
            var a = LargeImage.AddTo(new OciLayout(first), "large", totalBytes: 3 * 1024 * 1024, layerCount: 3);
            var b = LargeImage.AddTo(new OciLayout(second), "large", totalBytes: 3 * 1024 * 1024, layerCount: 3);
            Assert.Equal(a, b);
        }
        finally
        {
            Directory.Delete(first, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }

    private static string ExpectedManifestDigest(TestImage image)
    {
        var directory = Directory.CreateTempSubdirectory("crio-expected-").FullName;
        try
        {
            return new OciLayout(directory).AddImage(image, "image").Digest;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
