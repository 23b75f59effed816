using CriO.Cri;
using CriO.Registry.Fixture;
using CriO.TestImages;
using CriO.Tests.Shared;
using Grpc.Core;

namespace CriO.E2E.Tests.Images;

/// <summary>PullImage and the image RPCs through the real daemon, from Debian's distribution registry.</summary>
public class PullImageTests
{
    [Fact]
    public async Task Pull_by_tag_then_list_status_remove_and_podman_sees_it()
    {
        await using var registry = await DistributionRegistry.StartAsync();
        var digest = await RegistryImages.PushWithUserAsync(registry, "library/app", "1");
        await using var crio = await RegistryPullFixture.StartAsync(RegistryPullFixture.InsecureSearch(registry));
        var name = $"{registry.Host}/library/app:1";

        var id = await crio.PullAsync(name);

        await crio.Crio.WaitForLogAsync($"pulled {name}: ");
        var status = await crio.StatusAsync(name);
        Assert.NotNull(status);
        Assert.Equal(id, status.Id);
        Assert.Equal([name], status.RepoTags);
        Assert.Equal([$"{registry.Host}/library/app@{digest}"], status.RepoDigests);
        Assert.Equal("app", status.Username);
        Assert.True(status.Size > (ulong)new FileInfo(BusyboxImages.BusyboxPath).Length);
        Assert.Equal(id, (await crio.StatusAsync(id))!.Id);
        Assert.Equal(id, (await crio.StatusAsync(id[..12]))!.Id);
        Assert.Equal(id, (await crio.StatusAsync("library/app:1"))!.Id);
        var listed = await crio.Images.ListImagesAsync(new ListImagesRequest());
        Assert.Equal(id, Assert.Single(listed.Images).Id);

        var (podmanExit, podmanImages, podmanErrors) = await ChildProcess.RunAsync("podman",
            ["--root", Path.Combine(crio.Folder.Root, "storage"), "--runroot", Path.Combine(crio.Folder.Root, "runroot"), "--storage-driver", "overlay", "--events-backend", "none", "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]);
        Assert.True(podmanExit == 0, podmanErrors);
        Assert.Contains($"{registry.Host}/library/app:1 {id[..12]}", podmanImages, StringComparison.Ordinal);

        await crio.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = name } });
        Assert.Null(await crio.StatusAsync(name));
        await crio.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = name } });
        Assert.Equal((0, 0), crio.Leftovers());
    }

    [Fact]
    public async Task Pull_by_digest_and_a_multi_arch_index_resolves_this_platform()
    {
        await using var registry = await DistributionRegistry.StartAsync();
        var single = await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "library/busybox", "1");
        var index = await RegistryImages.PushMultiArchAsync(registry, RegistryImages.BusyboxPlatforms(), "library/multi", "1");
        await using var crio = await RegistryPullFixture.StartAsync(RegistryPullFixture.InsecureSearch(registry), $"[crio.image]\npinned_images = [\"{registry.Host}/library/multi*\"]\n");

        var byDigest = await crio.PullAsync($"{registry.Host}/library/busybox@{single}");
        var multi = await crio.PullAsync($"{registry.Host}/library/multi:1");

        Assert.Equal(byDigest, (await crio.StatusAsync($"{registry.Host}/library/busybox@{single}"))!.Id);
        var status = await crio.StatusAsync($"{registry.Host}/library/multi:1");
        Assert.Equal(multi, status!.Id);

        // The amd64 image of the index is the single busybox image: one image, two repositories,
        // and the index digest among its digests (as containers/image records it) for the kubelet.
        Assert.Equal(byDigest, multi);
        Assert.Contains($"{registry.Host}/library/multi@{index}", status.RepoDigests);
        Assert.Contains($"{registry.Host}/library/busybox@{single}", status.RepoDigests);
        Assert.True(status.Pinned, "pinned_images keeps it from the kubelet's garbage collection");
        var verbose = await crio.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = multi }, Verbose = true });
        Assert.Contains("\"architecture\":\"amd64\"", verbose.Info["config"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_name_resolves_through_search_registries_and_through_an_alias()
    {
        await using var registry = await DistributionRegistry.StartAsync();
        await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "busybox", "latest");
        await RegistryImages.PushWithUserAsync(registry, "team/tool", "2");
        await using var crio = await RegistryPullFixture.StartAsync(RegistryPullFixture.InsecureSearch(registry) + $"""

            [aliases]
            "tool" = "{registry.Host}/team/tool"
            """);

        var searched = await crio.PullAsync("busybox");
        var aliased = await crio.PullAsync("tool:2");

        Assert.Equal([$"{registry.Host}/busybox:latest"], (await crio.StatusAsync(searched))!.RepoTags);
        Assert.Equal([$"{registry.Host}/team/tool:2"], (await crio.StatusAsync(aliased))!.RepoTags);
    }

    [Fact]
    public async Task Plain_HTTP_is_used_only_for_a_registry_configured_insecure()
    {
        await using var registry = await DistributionRegistry.StartAsync();
        await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "library/busybox", "1");
        await using var crio = await RegistryPullFixture.StartAsync("unqualified-search-registries = []\n");

        var refused = await Assert.ThrowsAsync<RpcException>(() => crio.PullAsync($"{registry.Host}/library/busybox:1"));

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal((0, 0), crio.Leftovers());
    }

    [Fact]
    public async Task TLS_with_the_registrys_CA_and_Basic_auth_right_and_wrong()
    {
        await using var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions { Tls = true, Auth = RegistryAuthMode.Htpasswd });
        await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "library/busybox", "1");
        await using var crio = await RegistryPullFixture.StartAsync("", prepare: folder =>
            folder.Environment["CONTAINERS_CERTS_D"] = Path.GetDirectoryName(registry.CreateCertsDirectory(Path.Combine(folder.Root, "certs.d")))!);
        var name = $"{registry.Host}/library/busybox:1";

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => crio.PullAsync(name));
        var wrong = await Assert.ThrowsAsync<RpcException>(() => crio.PullAsync(name, new AuthConfig { Username = registry.Username, Password = "wrong" }));
        var id = await crio.PullAsync(name, new AuthConfig { Username = registry.Username, Password = registry.Password });

        Assert.Contains("authentication required", anonymous.Status.Detail, StringComparison.Ordinal);
        Assert.NotEqual(StatusCode.OK, wrong.StatusCode);
        Assert.Equal(id, (await crio.StatusAsync(name))!.Id);

        // The same credentials as the CRI's base64 `auth` field.
        await crio.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = name } });
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}"));
        Assert.Equal(id, await crio.PullAsync(name, new AuthConfig { Auth = auth }));
    }

    [Fact]
    public async Task Credentials_come_from_global_auth_file_when_the_request_has_none()
    {
        await using var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions { Tls = true, Auth = RegistryAuthMode.Htpasswd });
        await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "library/busybox", "1");
        var authFile = Path.Combine(Path.GetTempPath(), $"crio-auth-{Guid.NewGuid():N}.json");
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}"));
        await File.WriteAllTextAsync(authFile, "{\"auths\":{\"" + registry.Host + "\":{\"auth\":\"" + auth + "\"}}}");
        try
        {
            await using var crio = await RegistryPullFixture.StartAsync("", $"[crio.image]\nglobal_auth_file = \"{authFile}\"\n", folder =>
                folder.Environment["CONTAINERS_CERTS_D"] = Path.GetDirectoryName(registry.CreateCertsDirectory(Path.Combine(folder.Root, "certs.d")))!);

            Assert.NotEmpty(await crio.PullAsync($"{registry.Host}/library/busybox:1"));
        }
        finally
        {
            File.Delete(authFile);
        }
    }

    [Fact]
    public async Task Bearer_tokens_come_from_the_token_server_the_registry_names()
    {
        await using var tokens = await TokenServer.StartAsync();
        await using var registry = await DistributionRegistry.StartAsync(new DistributionRegistryOptions { Auth = RegistryAuthMode.Token, TokenServer = tokens });
        await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "library/busybox", "1");
        var before = tokens.TokensIssued;
        await using var crio = await RegistryPullFixture.StartAsync(RegistryPullFixture.InsecureSearch(registry));

        var id = await crio.PullAsync($"{registry.Host}/library/busybox:1", new AuthConfig { Username = "crio", Password = "crio-secret" });

        Assert.NotEmpty(id);
        Assert.True(tokens.TokensIssued > before);
        Assert.Contains("repository:library/busybox:pull", tokens.RequestedScopes);

        // A registry token (the CRI's registry_token) is used as it is, with no token request.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{tokens.Realm}?service={tokens.Service}&scope=repository:library/busybox:pull");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("crio:crio-secret"u8.ToArray()));
        using var answer = System.Text.Json.JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync());
        await crio.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = id } });
        var issued = tokens.TokensIssued;
        Assert.Equal(id, await crio.PullAsync($"{registry.Host}/library/busybox:1", new AuthConfig { RegistryToken = answer.RootElement.GetProperty("token").GetString() }));
        Assert.Equal(issued, tokens.TokensIssued);
    }

    [Fact]
    public async Task A_mirror_serves_while_the_primary_is_unreachable()
    {
        await using var mirror = await DistributionRegistry.StartAsync();
        await RegistryImages.PushAsync(mirror, BusyboxImages.Busybox(), "library/busybox", "1");
        await using var crio = await RegistryPullFixture.StartAsync($"""
            [[registry]]
            prefix = "primary.invalid"
            location = "127.0.0.1:9"
            insecure = true
            [[registry.mirror]]
            location = "{mirror.Host}"
            insecure = true
            """);

        var id = await crio.PullAsync("primary.invalid/library/busybox:1");

        Assert.Equal(id, (await crio.StatusAsync("primary.invalid/library/busybox:1"))!.Id);
    }

    [Fact]
    public async Task Four_concurrent_pulls_of_images_sharing_layers_all_succeed_and_share_them()
    {
        await using var registry = await DistributionRegistry.StartAsync();
        await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), "library/busybox", "1");
        await RegistryImages.PushWithUserAsync(registry, "library/app", "1");
        await using var crio = await RegistryPullFixture.StartAsync(RegistryPullFixture.InsecureSearch(registry));

        var ids = await Task.WhenAll(
            crio.PullAsync($"{registry.Host}/library/busybox:1"),
            crio.PullAsync($"{registry.Host}/library/app:1"),
            crio.PullAsync($"{registry.Host}/library/busybox:1"),
            crio.PullAsync($"{registry.Host}/library/app:1"));

        Assert.Equal(2, ids.Distinct().Count());
        Assert.Equal((3, 0), crio.Leftovers());
    }
}
