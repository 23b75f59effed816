using CriO.Image.Reference;
using CriO.Image.Registries;

namespace CriO.Image.Tests.Registries;

public class PullSourcesTests
{
    private const string Source = "/etc/containers/registries.conf";
    private static readonly string Digest = "sha256:" + new string('c', 64);

    private static string[] Sources(RegistriesConfig config, string reference) =>
        config.PullSources(ImageReference.Parse(reference))
            .Select(s => $"{s.Reference}{(s.Insecure ? " insecure" : "")}{(s.IsMirror ? " mirror" : "")}")
            .ToArray();

    [Fact]
    public void The_man_page_example_tries_mirrors_in_order_then_the_rewritten_location()
    {
        var config = RegistriesConfig.Parse("""
            unqualified-search-registries = ["example.com"]

            [[registry]]
            prefix = "example.com/foo"
            insecure = false
            blocked = false
            location = "internal-registry-for-example.com/bar"

            [[registry.mirror]]
            location = "example-mirror-0.local/mirror-for-foo"

            [[registry.mirror]]
            location = "example-mirror-1.local/mirrors/foo"
            insecure = true
            """, Source);

        Assert.Equal(
            [
                "example-mirror-0.local/mirror-for-foo/image:latest mirror",
                "example-mirror-1.local/mirrors/foo/image:latest insecure mirror",
                "internal-registry-for-example.com/bar/image:latest",
            ],
            Sources(config, "example.com/foo/image:latest"));
    }

    [Fact]
    public void Without_a_matching_table_the_reference_is_its_own_only_source()
    {
        Assert.Equal(["docker.io/library/busybox:latest"], Sources(RegistriesConfig.Empty, "busybox"));
    }

    [Fact]
    public void The_rewrite_keeps_tag_and_digest()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            prefix = "quay.io/ns"
            location = "mirror.local:5000/quay/ns"
            """, Source);

        Assert.Equal([$"mirror.local:5000/quay/ns/app:1@{Digest}"], Sources(config, $"quay.io/ns/app:1@{Digest}"));
        Assert.Equal([$"mirror.local:5000/quay/ns/sub/app@{Digest}"], Sources(config, $"quay.io/ns/sub/app@{Digest}"));
    }

    [Fact]
    public void A_prefix_equal_to_the_repository_maps_that_repository()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            prefix = "docker.io/library/alpine"
            location = "registry.local/hub/alpine"
            """, Source);

        Assert.Equal(["registry.local/hub/alpine:3.20"], Sources(config, "alpine:3.20"));
    }

    [Fact]
    public void A_wildcard_table_without_location_keeps_the_reference_and_applies_its_settings()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            prefix = "*.corp.example"
            insecure = true

            [[registry.mirror]]
            location = "cache.local/corp"
            """, Source);

        Assert.Equal(
            ["cache.local/corp/team/app:1 mirror", "build.corp.example/team/app:1 insecure"],
            Sources(config, "build.corp.example/team/app:1"));
    }

    [Fact]
    public void Mirror_by_digest_only_keeps_tag_pulls_on_the_primary()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            location = "quay.io"
            mirror-by-digest-only = true

            [[registry.mirror]]
            location = "mirror.local"
            """, Source);

        Assert.Equal(["quay.io/a:1"], Sources(config, "quay.io/a:1"));
        Assert.Equal([$"mirror.local/a@{Digest} mirror", $"quay.io/a@{Digest}"], Sources(config, $"quay.io/a@{Digest}"));
        Assert.Equal([$"mirror.local/a:1@{Digest} mirror", $"quay.io/a:1@{Digest}"], Sources(config, $"quay.io/a:1@{Digest}"));
    }

    [Fact]
    public void Pull_from_mirror_filters_each_mirror_keeping_their_order()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            location = "quay.io"

            [[registry.mirror]]
            location = "digests.local"
            pull-from-mirror = "digest-only"

            [[registry.mirror]]
            location = "tags.local"
            pull-from-mirror = "tag-only"

            [[registry.mirror]]
            location = "all.local"
            """, Source);

        Assert.Equal(["tags.local/a:1 mirror", "all.local/a:1 mirror", "quay.io/a:1"], Sources(config, "quay.io/a:1"));
        Assert.Equal(
            [$"digests.local/a@{Digest} mirror", $"all.local/a@{Digest} mirror", $"quay.io/a@{Digest}"],
            Sources(config, $"quay.io/a@{Digest}"));
    }

    [Fact]
    public void A_blocked_prefix_refuses_the_pull_naming_prefix_and_file()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            location = "example.com/bad"
            blocked = true
            """, Source);

        var e = Assert.Throws<BlockedRegistryException>(() => config.PullSources(ImageReference.Parse("example.com/bad/app:1")));

        Assert.Equal("example.com/bad", e.Registry.Prefix);
        Assert.Contains("example.com/bad/app:1", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"example.com/bad\" is blocked in " + Source, e.Message, StringComparison.Ordinal);
        Assert.Equal(["example.com/good/app:1"], Sources(config, "example.com/good/app:1"));
    }

    [Fact]
    public void A_blocked_wildcard_refuses_every_subdomain()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            prefix = "*.untrusted.example"
            blocked = true
            """, Source);

        Assert.Throws<BlockedRegistryException>(() => config.PullSources(ImageReference.Parse("a.untrusted.example/x")));
    }

    [Fact]
    public void A_mirror_under_a_blocked_prefix_is_left_out()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            location = "quay.io"

            [[registry.mirror]]
            location = "blocked.local"

            [[registry.mirror]]
            location = "fine.local"

            [[registry]]
            location = "blocked.local"
            blocked = true
            """, Source);

        Assert.Equal(["fine.local/a:1 mirror", "quay.io/a:1"], Sources(config, "quay.io/a:1"));
    }

    [Fact]
    public void A_location_that_leads_into_a_blocked_prefix_is_refused()
    {
        // One file may not disagree with itself about blocked.local; two files can.
        using var directory = new TempDirectory();
        var main = directory.Write("registries.conf", """
            [[registry]]
            prefix = "quay.io"
            location = "blocked.local"
            """);
        directory.Write("registries.conf.d/50-block.conf", """
            [[registry]]
            location = "blocked.local"
            blocked = true
            """);
        var config = RegistriesConfig.Load(main, directory.Combine("registries.conf.d"));

        var e = Assert.Throws<BlockedRegistryException>(() => config.PullSources(ImageReference.Parse("quay.io/a:1")));

        Assert.Equal("blocked.local/a:1", e.Reference.ToString());
    }

    [Fact]
    public void A_rewrite_that_is_not_canonical_is_refused_naming_the_table()
    {
        // docker.io/busybox would silently mean docker.io/library/busybox.
        var config = RegistriesConfig.Parse("""
            [[registry]]
            prefix = "quay.io"
            location = "docker.io"
            """, Source);

        var e = Assert.Throws<RegistriesConfigException>(() => config.PullSources(ImageReference.Parse("quay.io/busybox:1")));

        Assert.Equal(Source, e.Source);
        Assert.StartsWith("registry[0]", e.Key, StringComparison.Ordinal);
        Assert.Contains("canonical", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rewrite_that_is_no_reference_is_refused_naming_the_mirror()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            location = "quay.io"

            [[registry.mirror]]
            location = "Bad_Mirror"
            """, Source);

        var e = Assert.Throws<RegistriesConfigException>(() => config.PullSources(ImageReference.Parse("quay.io/a:1")));

        Assert.Contains("mirror[0].location", e.Key, StringComparison.Ordinal);
    }
}
