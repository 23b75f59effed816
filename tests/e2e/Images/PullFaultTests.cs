using CriO.Cri;
using CriO.Registry.Fixture;
using CriO.TestImages;
using CriO.Tests.Shared;
using Grpc.Core;

namespace CriO.E2E.Tests.Images;

/// <summary>
/// What a real registry cannot do on demand, from the fake one: wrong bytes, a cut body, a
/// stall, errors that pass. Each failure is clean (a status, nothing left in the store); the
/// passing error is retried.
/// </summary>
public sealed class PullFaultTests : IAsyncLifetime
{
    private readonly string _layoutRoot = Directory.CreateTempSubdirectory("crio-faulty-").FullName;
    private FaultyRegistry? _registry;

    [Theory]
    [InlineData("wrong-digest")]
    [InlineData("truncated")]
    public async Task A_corrupted_layer_fails_the_pull_and_leaves_nothing(string fault)
    {
        var registry = await StartRegistryAsync();
        if (fault == "wrong-digest")
        {
            registry.ServeWrongBytes(RegistryRequestKind.Blob);
        }
        else
        {
            registry.Truncate(RegistryRequestKind.Blob);
        }

        await using var crio = await RegistryPullFixture.StartAsync(Insecure(registry));

        var failed = await Assert.ThrowsAsync<RpcException>(() => crio.PullAsync($"{registry.Host}/library/busybox:busybox"));

        Assert.Contains(fault == "wrong-digest" ? "digest" : "", failed.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("MANIFEST_UNKNOWN", failed.Status.Detail, StringComparison.Ordinal);
        Assert.True(registry.RequestCount(FaultyRegistry.ManifestPath("library/busybox", "busybox")) > 0);
        Assert.Equal((0, 0), crio.Leftovers());
        Assert.Empty((await crio.Images.ListImagesAsync(new ListImagesRequest())).Images);
    }

    [Fact]
    public async Task A_stalled_blob_fails_after_the_progress_timeout_and_leaves_nothing()
    {
        var registry = await StartRegistryAsync();
        registry.Stall(RegistryRequestKind.Blob);
        await using var crio = await RegistryPullFixture.StartAsync(Insecure(registry), "[crio.image]\nimage_pull_progress_timeout = \"2s\"\n");

        var failed = await Assert.ThrowsAsync<RpcException>(() => crio.PullAsync($"{registry.Host}/library/busybox:busybox"));

        Assert.Contains("no progress", failed.Status.Detail, StringComparison.Ordinal);
        Assert.Equal((0, 0), crio.Leftovers());
    }

    [Fact]
    public async Task Server_errors_that_pass_are_retried_and_the_pull_succeeds()
    {
        var registry = await StartRegistryAsync();
        registry.FailFirst(2, RegistryRequestKind.Manifest);
        registry.FailFirst(1, RegistryRequestKind.Blob);
        await using var crio = await RegistryPullFixture.StartAsync(Insecure(registry));

        var id = await crio.PullAsync($"{registry.Host}/library/busybox:busybox");

        Assert.NotEmpty(id);
        Assert.Equal((3, 0), crio.Leftovers());
    }

    [Fact]
    public async Task Blob_redirects_are_followed()
    {
        var registry = await StartRegistryAsync();
        registry.RedirectBlobs();
        await using var crio = await RegistryPullFixture.StartAsync(Insecure(registry));

        Assert.NotEmpty(await crio.PullAsync($"{registry.Host}/library/busybox:busybox"));
        Assert.Contains(registry.RequestCounts.Keys, path => path.Contains(FaultyRegistry.RedirectPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_policy_that_rejects_the_registry_refuses_the_pull_with_its_reason()
    {
        var registry = await StartRegistryAsync();
        var policy = Path.Combine(_layoutRoot, "policy.json");
        await File.WriteAllTextAsync(policy,
            "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{\"docker\":{\"" + registry.Host + "\":[{\"type\":\"reject\"}]}}}");
        await using var crio = await RegistryPullFixture.StartAsync(Insecure(registry), $"[crio.image]\nsignature_policy = \"{policy}\"\n");

        var refused = await Assert.ThrowsAsync<RpcException>(() => crio.PullAsync($"{registry.Host}/library/busybox:busybox"));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains(registry.Host, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, registry.RequestCount(FaultyRegistry.ManifestPath("library/busybox", "busybox")));
    }

    [Fact]
    public async Task An_image_skopeo_copied_into_the_store_is_listed()
    {
        var registry = await StartRegistryAsync();
        await using var crio = await RegistryPullFixture.StartAsync(Insecure(registry));
        var store = $"containers-storage:[overlay@{Path.Combine(crio.Folder.Root, "storage")}+{Path.Combine(crio.Folder.Root, "runroot")}]localhost/preloaded:1";

        var (exitCode, _, errors) = await ChildProcess.RunAsync("skopeo", ["copy", "--quiet", $"oci:{Path.Combine(_layoutRoot, "layout")}:busybox", store], timeout: TimeSpan.FromSeconds(120));

        Assert.True(exitCode == 0, errors);
        var listed = await crio.Images.ListImagesAsync(new ListImagesRequest());
        Assert.Contains(listed.Images, i => i.RepoTags.Contains("localhost/preloaded:1"));
        foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(crio.Folder.Root + "/", StringComparison.Ordinal)))
        {
            using var umount = System.Diagnostics.Process.Start("umount", ["-l", mount]);
            await umount.WaitForExitAsync();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 calls only this one on a test class.
    public async Task DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        Directory.Delete(_layoutRoot, recursive: true);
    }

    private async Task<FaultyRegistry> StartRegistryAsync()
    {
        var layout = new OciLayout(Path.Combine(_layoutRoot, "layout"));
        layout.AddImage(BusyboxImages.Busybox(), "busybox");
        _registry = await FaultyRegistry.StartAsync(layout.Directory);
        return _registry;
    }

    private static string Insecure(FaultyRegistry registry) => $"""
        [[registry]]
        location = "{registry.Host}"
        insecure = true
        """;
}
