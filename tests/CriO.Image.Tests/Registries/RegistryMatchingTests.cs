using CriO.Image.Reference;
using CriO.Image.Registries;

namespace CriO.Image.Tests.Registries;

public class RegistryMatchingTests
{
    private static readonly RegistriesConfig Config = RegistriesConfig.Parse("""
        [[registry]]
        location = "example.com"

        [[registry]]
        location = "example.com/foo"

        [[registry]]
        location = "example.com/foo/bar"

        [[registry]]
        prefix = "example.com/tagged:v1"
        location = "pinned.example.com/tagged"

        [[registry]]
        prefix = "*.wild.example"
        insecure = true

        [[registry]]
        prefix = "exact.wild.example"
        location = "exact.wild.example"

        [[registry]]
        prefix = "docker.io/library/alpine"
        location = "alpine.mirror.local/alpine"

        [[registry]]
        prefix = "docker.io/alpine"
        location = "other.mirror.local/alpine"

        [[registry]]
        location = "[::1]:5000"
        """, "registries.conf");

    [Theory]
    [InlineData("example.com/x:1", "example.com")]
    [InlineData("example.com/foo:1", "example.com/foo")]
    [InlineData("example.com/foo/baz:1", "example.com/foo")]
    [InlineData("example.com/foo/bar:1", "example.com/foo/bar")]
    [InlineData("example.com/foo/bar/deeper@sha256:0000000000000000000000000000000000000000000000000000000000000000", "example.com/foo/bar")]
    [InlineData("example.com/foobar:1", "example.com")]
    [InlineData("example.com/foo-bar:1", "example.com")]
    [InlineData("example.com/tagged:v1", "example.com/tagged:v1")]
    [InlineData("example.com/tagged:v10", "example.com")]
    [InlineData("example.com/tagged:v2", "example.com")]
    [InlineData("a.wild.example/x:1", "*.wild.example")]
    [InlineData("b.a.wild.example:5000/x:1", "*.wild.example")]
    [InlineData("exact.wild.example/x:1", "exact.wild.example")]
    [InlineData("alpine", "docker.io/library/alpine")]
    [InlineData("docker.io/alpine/helm:3", "docker.io/alpine")]
    [InlineData("[::1]:5000/x", "[::1]:5000")]
    public void The_longest_covering_prefix_wins_on_path_boundaries(string reference, string prefix)
    {
        Assert.Equal(prefix, Config.FindRegistry(ImageReference.Parse(reference))?.Prefix);
    }

    [Theory]
    [InlineData("wild.example/x:1")]
    [InlineData("notwild.example/x:1")]
    [InlineData("wild.example.com/x:1")]
    [InlineData("example.org/x:1")]
    [InlineData("busybox")]
    [InlineData("[::2]:5000/x")]
    public void References_no_prefix_covers_match_nothing(string reference)
    {
        Assert.Null(Config.FindRegistry(ImageReference.Parse(reference)));
    }

    [Fact]
    public void A_host_prefix_also_covers_the_host_on_another_port_as_containers_image_does()
    {
        // containers/image calls this unintended, but a drop-in must read the same file the same way.
        Assert.Equal("example.com", Config.FindRegistry(ImageReference.Parse("example.com:5000/x"))?.Prefix);
    }
}
