using CriO.Cri;
using CriO.Registry.Fixture;
using CriO.TestImages;

namespace CriO.E2E.Tests.Images;

/// <summary>
/// ImageStatus and RemoveImage by every form of name the kubelet, crictl and critest use (image
/// ID, sha256:ID, ID prefix, reference), of images present and absent, one call at a time and
/// many at once, through the real daemon and Debian's distribution registry.
/// </summary>
public class ImageRemovalTests
{
    [Fact]
    public async Task Status_and_removal_by_full_ID_by_sha256_ID_and_by_ID_prefix()
    {
        await using var registry = await BusyboxRegistryAsync("library/busybox:1");
        await using var crio = await RegistryPullFixture.StartAsync(RegistryPullFixture.InsecureSearch(registry));
        var name = $"{registry.Host}/library/busybox:1";

        foreach (var form in new Func<string, string>[] { id => id, id => "sha256:" + id, id => id[..12] })
        {
            var id = await crio.PullAsync(name);
            Assert.Equal(id, (await crio.StatusAsync(form(id)))?.Id);

            await RemoveAsync(crio, form(id));

            Assert.Null(await crio.StatusAsync(form(id)));
            Assert.Null(await crio.StatusAsync(id));
            Assert.Null(await crio.StatusAsync(name));
            Assert.Equal((0, 0), crio.Leftovers());
        }
    }

    /// <summary>
    /// Regression: an image ID that is not in the store reached the reference parser, and
    /// ImageStatus and RemoveImage answered "InvalidArgument: 64 hexadecimal digits are an image
    /// ID, not a repository name" where the CRI says: an empty status, and success.
    /// </summary>
    [Fact]
    public async Task An_absent_image_by_reference_or_by_ID_has_an_empty_status_and_removes_without_error()
    {
        await using var registry = await BusyboxRegistryAsync("library/busybox:1");
        await using var crio = await RegistryPullFixture.StartAsync(RegistryPullFixture.InsecureSearch(registry));
        var removed = await crio.PullAsync($"{registry.Host}/library/busybox:1");
        await RemoveAsync(crio, removed);
        var never = new string('c', 64);

        foreach (var absent in new[] { $"{registry.Host}/library/busybox:1", $"{registry.Host}/library/none:1", "none", removed, "sha256:" + removed, removed[..12], never, "sha256:" + never, never[..12] })
        {
            Assert.Null(await crio.StatusAsync(absent));
            await RemoveAsync(crio, absent);
        }
    }

    /// <summary>Regression: critest's "should not fail on simultaneous RemoveImage calls" (all but one answered NotFound).</summary>
    [Fact]
    public async Task Ten_concurrent_removals_by_ID_all_succeed_and_the_status_after_each_is_empty()
    {
        await using var registry = await BusyboxRegistryAsync("library/busybox:1");
        await using var crio = await RegistryPullFixture.StartAsync(RegistryPullFixture.InsecureSearch(registry));
        var id = await crio.PullAsync($"{registry.Host}/library/busybox:1");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            await RemoveAsync(crio, id);
            return await crio.StatusAsync(id);
        }));

        Assert.All(statuses, Assert.Null);
        Assert.Equal((0, 0), crio.Leftovers());
    }

    [Fact]
    public async Task Removal_by_one_tag_takes_only_that_name_until_the_last_takes_the_image()
    {
        await using var registry = await BusyboxRegistryAsync("library/busybox:1", "library/busybox:2", "team/box:1");
        await using var crio = await RegistryPullFixture.StartAsync(RegistryPullFixture.InsecureSearch(registry));
        string[] names = [$"{registry.Host}/library/busybox:1", $"{registry.Host}/library/busybox:2", $"{registry.Host}/team/box:1"];
        var id = await crio.PullAsync(names[0]);
        Assert.All(await Task.WhenAll(names.Skip(1).Select(name => crio.PullAsync(name))), other => Assert.Equal(id, other));
        Assert.Equal(names.Order(), (await crio.StatusAsync(id))!.RepoTags.Order());

        await RemoveAsync(crio, names[0]);
        Assert.Equal(names[1..], (await crio.StatusAsync(id))!.RepoTags.Order());
        Assert.Null(await crio.StatusAsync(names[0]));
        await RemoveAsync(crio, "team/box:1");
        Assert.Equal([names[1]], (await crio.StatusAsync(id))!.RepoTags);
        Assert.NotEqual((0, 0), crio.Leftovers());

        await RemoveAsync(crio, names[1]);
        Assert.Null(await crio.StatusAsync(id));
        Assert.Equal((0, 0), crio.Leftovers());
    }

    [Fact]
    public async Task Removal_by_ID_of_an_image_pulled_from_two_registries_leaves_no_name_and_no_layer()
    {
        await using var first = await BusyboxRegistryAsync("library/busybox:1");
        await using var second = await BusyboxRegistryAsync("mirror/busybox:1", "other/busybox:1");
        await using var crio = await RegistryPullFixture.StartAsync($"""
            [[registry]]
            location = "{first.Host}"
            insecure = true
            [[registry]]
            location = "{second.Host}"
            insecure = true
            """);
        string[] names = [$"{first.Host}/library/busybox:1", $"{second.Host}/mirror/busybox:1", $"{second.Host}/other/busybox:1"];
        var ids = new List<string>();
        foreach (var name in names)
        {
            ids.Add(await crio.PullAsync(name));
        }

        var id = Assert.Single(ids.Distinct());
        Assert.Equal(names.Order(), (await crio.StatusAsync(id))!.RepoTags.Order());

        await RemoveAsync(crio, id);

        Assert.Null(await crio.StatusAsync(id));
        foreach (var name in names)
        {
            Assert.Null(await crio.StatusAsync(name));
        }

        Assert.Empty((await crio.Images.ListImagesAsync(new ListImagesRequest())).Images);
        Assert.Equal((0, 0), crio.Leftovers());
    }

    // A registry holding the same busybox image under each repository:tag.
    private static async Task<DistributionRegistry> BusyboxRegistryAsync(params string[] names)
    {
        var registry = await DistributionRegistry.StartAsync();
        try
        {
            foreach (var name in names)
            {
                await RegistryImages.PushAsync(registry, BusyboxImages.Busybox(), name.Split(':')[0], name.Split(':')[1]);
            }

            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    private static async Task RemoveAsync(RegistryPullFixture crio, string image) =>
        await crio.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = image } });
}
