using CriO.Image.Reference;

namespace CriO.Image.Tests.Reference;

public class ImageReferenceTests
{
    private static readonly string Sha256 = "sha256:" + new string('a', 64);
    private static readonly string Sha512 = "sha512:" + new string('b', 128);

    public static TheoryData<string, string, string, string> Normalized => new()
    {
        // input, canonical, domain, path
        { "busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox" },
        { "busybox:1.36", "docker.io/library/busybox:1.36", "docker.io", "library/busybox" },
        { "library/busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox" },
        { "docker.io/busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox" },
        { "index.docker.io/busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox" },
        { "index.docker.io/user/app:v1", "docker.io/user/app:v1", "docker.io", "user/app" },
        { "user/app", "docker.io/user/app:latest", "docker.io", "user/app" },
        { "my-registry/app", "docker.io/my-registry/app:latest", "docker.io", "my-registry/app" },
        { "foo_bar/baz", "docker.io/foo_bar/baz:latest", "docker.io", "foo_bar/baz" },
        { "localhost/app", "localhost/app:latest", "localhost", "app" },
        { "localhost:5000/x", "localhost:5000/x:latest", "localhost:5000", "x" },
        { "localhost:5000", "docker.io/library/localhost:5000", "docker.io", "library/localhost" },
        { "quay.io/ns/sub/repo:tag", "quay.io/ns/sub/repo:tag", "quay.io", "ns/sub/repo" },
        { "registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10", "registry.k8s.io", "pause" },
        { "example.com:443/a", "example.com:443/a:latest", "example.com:443", "a" },
        { "Example.COM/a", "Example.COM/a:latest", "Example.COM", "a" },
        { "127.0.0.1:5000/a/b:t", "127.0.0.1:5000/a/b:t", "127.0.0.1:5000", "a/b" },
        { "[::1]:5000/a:t", "[::1]:5000/a:t", "[::1]:5000", "a" },
        { "[2001:db8::1]/repo", "[2001:db8::1]/repo:latest", "[2001:db8::1]", "repo" },
        { "a.b/c__d/e-f---g.h_i", "a.b/c__d/e-f---g.h_i:latest", "a.b", "c__d/e-f---g.h_i" },
        { "x/y:A_b.C-1", "docker.io/x/y:A_b.C-1", "docker.io", "x/y" },
        { "x:_", "docker.io/library/x:_", "docker.io", "library/x" },
    };

    [Theory]
    [MemberData(nameof(Normalized))]
    public void Parse_normalises_as_docker_does(string input, string canonical, string domain, string path)
    {
        var reference = ImageReference.Parse(input);

        Assert.Equal(canonical, reference.ToString());
        Assert.Equal(domain, reference.Domain);
        Assert.Equal(path, reference.Path);
        Assert.Equal($"{domain}/{path}", reference.FullName);
    }

    [Theory]
    [InlineData("busybox", true)]
    [InlineData("library/busybox:1", true)]
    [InlineData("user/app", true)]
    [InlineData("docker.io/busybox", false)]
    [InlineData("index.docker.io/busybox", false)]
    [InlineData("localhost/app", false)]
    [InlineData("localhost:5000/app", false)]
    [InlineData("quay.io/app", false)]
    [InlineData("[::1]/app", false)]
    public void IsShortName_says_whether_the_user_named_a_registry(string input, bool isShort)
    {
        Assert.Equal(isShort, ImageReference.Parse(input).IsShortName);
    }

    [Fact]
    public void A_name_only_reference_gets_the_latest_tag_and_no_digest()
    {
        var reference = ImageReference.Parse("busybox");

        Assert.Equal("latest", reference.Tag);
        Assert.Null(reference.Digest);
    }

    [Fact]
    public void A_digest_reference_gets_no_tag()
    {
        var reference = ImageReference.Parse("busybox@" + Sha256);

        Assert.Null(reference.Tag);
        Assert.Equal(Sha256, reference.Digest);
        Assert.Equal("docker.io/library/busybox@" + Sha256, reference.ToString());
    }

    [Fact]
    public void Tag_and_digest_are_both_kept()
    {
        var input = "127.0.0.1:5000/a/b:t@" + Sha256;

        var reference = ImageReference.Parse(input);

        Assert.Equal("127.0.0.1:5000", reference.Domain);
        Assert.Equal("a/b", reference.Path);
        Assert.Equal("t", reference.Tag);
        Assert.Equal(Sha256, reference.Digest);
        Assert.Equal(input, reference.ToString());
    }

    [Theory]
    [InlineData("sha256", 64)]
    [InlineData("sha384", 96)]
    [InlineData("sha512", 128)]
    public void Digest_lengths_follow_the_algorithm(string algorithm, int length)
    {
        var digest = $"{algorithm}:{new string('0', length)}";

        Assert.Equal(digest, ImageReference.Parse("a@" + digest).Digest);
        Assert.Throws<ReferenceFormatException>(() => ImageReference.Parse($"a@{algorithm}:{new string('0', length - 1)}"));
        Assert.Throws<ReferenceFormatException>(() => ImageReference.Parse($"a@{algorithm}:{new string('0', length + 1)}"));
    }

    [Fact]
    public void A_tag_of_128_characters_is_the_longest_allowed()
    {
        var tag = "a" + new string('-', 127);

        Assert.Equal(tag, ImageReference.Parse("x:" + tag).Tag);
        var e = Assert.Throws<ReferenceFormatException>(() => ImageReference.Parse("x:" + tag + "a"));
        Assert.Contains("128", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_of_255_characters_is_the_longest_allowed()
    {
        var name = "example.com/" + new string('a', 255 - "example.com/".Length);

        Assert.Equal(name, ImageReference.Parse(name).FullName);
        var e = Assert.Throws<ReferenceFormatException>(() => ImageReference.Parse(name + "a"));
        Assert.Contains("255", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_length_limit_applies_to_the_normalised_name()
    {
        // 250 characters as typed, 268 once docker.io/library/ is added.
        var e = Assert.Throws<ReferenceFormatException>(() => ImageReference.Parse(new string('a', 250)));

        Assert.Contains("docker.io/library/", e.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        // input, a fragment of the reason
        { "", "empty" },
        { "Busybox", "lowercase" },
        { "docker.io/Library/busybox", "lowercase" },
        { "Foo/bar", "lowercase" },
        { "quay.io/Ns/app", "lowercase" },
        { "a//b", "empty" },
        { "a/", "empty" },
        { "/a", "empty" },
        { "a..b", "separator" },
        { "a___b", "separator" },
        { "a_-b", "separator" },
        { "a-", "end with" },
        { "-a", "start with" },
        { "a b", "contains ' '" },
        { "a:", "tag" },
        { "a:-x", "tag" },
        { "a:b:c", "tag" },
        { "a@", "'@'" },
        { "a@sha256:abc", "algorithm:hex" },
        { "a@sha256:" + new string('A', 64), "lowercase" },
        { "a@md5:" + new string('0', 32), "unsupported digest algorithm" },
        { "a@sha256:" + new string('0', 64) + "@x", "algorithm:hex" },
        { "@sha256:" + new string('0', 64), "repository name is empty" },
        { ":tag", "repository name is empty" },
        { new string('f', 64), "image ID" },
        { "example.com:port/a", "port" },
        { "exa_mple.com/a", "registry domain" },
        { "-example.com/a", "registry domain" },
        { "example..com/a", "registry domain" },
        { "[::1/a", "IPv6" },
        { "[fe80::1%eth0]:5000/a", "IPv6" },
        { "http://example.com/a", "URL scheme" },
        { "docker://busybox", "URL scheme" },
        { "a:b/c", "port" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Parse_refuses_with_a_message_naming_what_is_wrong(string input, string reason)
    {
        var e = Assert.Throws<ReferenceFormatException>(() => ImageReference.Parse(input));

        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Equal(input, e.Input);
        Assert.StartsWith($"invalid image reference \"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_beyond_4096_characters_is_refused_before_scanning()
    {
        var e = Assert.Throws<ReferenceFormatException>(() => ImageReference.Parse(new string('a', 4097)));

        Assert.Contains("4096", e.Reason, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 500, "the message quotes a bounded part of the input");
    }

    [Fact]
    public void Hostile_input_is_scanned_in_linear_time()
    {
        // Patterns that make backtracking regexes explode: long separator runs, many components.
        var inputs = new[]
        {
            string.Concat(Enumerable.Repeat("a-", 2000)) + "!",
            string.Concat(Enumerable.Repeat("a/", 2000)) + "A",
            "a:" + new string('b', 4000),
            "a@sha256:" + new string('0', 4000),
        };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var input in inputs)
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.False(ImageReference.TryParse(input, out _));
            }
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void WithTag_keeps_the_digest_and_WithDigest_keeps_the_tag()
    {
        var reference = ImageReference.Parse("quay.io/a/b:1");

        var tagged = reference.WithTag("2");
        var both = tagged.WithDigest(Sha512);

        Assert.Equal("quay.io/a/b:2", tagged.ToString());
        Assert.Equal("quay.io/a/b:2@" + Sha512, both.ToString());
        Assert.Equal("quay.io/a/b:3@" + Sha512, both.WithTag("3").ToString());
        Assert.Equal("quay.io/a/b:1", reference.ToString());
    }

    [Fact]
    public void WithTag_and_WithDigest_validate_their_argument()
    {
        var reference = ImageReference.Parse("busybox");

        Assert.Throws<ReferenceFormatException>(() => reference.WithTag(".bad"));
        Assert.Throws<ReferenceFormatException>(() => reference.WithDigest("sha256:123"));
    }

    [Fact]
    public void References_are_equal_when_their_canonical_forms_are()
    {
        var a = ImageReference.Parse("busybox");
        var b = ImageReference.Parse("docker.io/library/busybox:latest");

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, ImageReference.Parse("busybox:1"));
    }

    [Fact]
    public void TryParse_reports_failure_without_throwing()
    {
        Assert.False(ImageReference.TryParse(null, out _));
        Assert.False(ImageReference.TryParse("UPPER", out var none));
        Assert.Null(none);
        Assert.True(ImageReference.TryParse("alpine:3", out var alpine));
        Assert.Equal("docker.io/library/alpine:3", alpine.ToString());
    }
}
