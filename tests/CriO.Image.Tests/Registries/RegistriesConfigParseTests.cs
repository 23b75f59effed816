using CriO.Image.Registries;

namespace CriO.Image.Tests.Registries;

public class RegistriesConfigParseTests
{
    private const string Source = "/etc/containers/registries.conf";

    [Fact]
    public void Every_v2_key_is_read()
    {
        var config = RegistriesConfig.Parse("""
            unqualified-search-registries = ["registry.fedoraproject.org", "docker.io/"]
            short-name-mode = "enforcing"
            credential-helpers = ["containers-auth.json"]

            [aliases]
            "fedora" = "registry.fedoraproject.org/fedora"
            "alpine" = "docker.io/alpine"

            [[registry]]
            prefix = "example.com/foo"
            location = "internal.example.net/bar/"
            insecure = true
            blocked = false
            mirror-by-digest-only = false

            [[registry.mirror]]
            location = "mirror-0.local/foo"

            [[registry.mirror]]
            location = "mirror-1.local/foo"
            insecure = true
            pull-from-mirror = "digest-only"

            [[registry.mirror]]
            location = "mirror-2.local/foo"
            pull-from-mirror = "tag-only"

            [[registry.mirror]]
            location = "mirror-3.local/foo"
            pull-from-mirror = "all"
            """, Source);

        Assert.Equal(["registry.fedoraproject.org", "docker.io"], config.UnqualifiedSearchRegistries);
        Assert.Equal(Source, config.UnqualifiedSearchRegistriesSource);
        Assert.Equal(ShortNameMode.Enforcing, config.ShortNameMode);
        Assert.Equal("registry.fedoraproject.org/fedora", config.Aliases["fedora"]);
        Assert.Equal("docker.io/library/alpine", config.Aliases["alpine"]);
        var registry = Assert.Single(config.Registries);
        Assert.Equal("example.com/foo", registry.Prefix);
        Assert.Equal("internal.example.net/bar", registry.Location);
        Assert.True(registry.Insecure);
        Assert.False(registry.Blocked);
        Assert.False(registry.MirrorByDigestOnly);
        Assert.Equal(Source, registry.Source);
        Assert.Equal(
            [
                new RegistryMirror("mirror-0.local/foo", false, PullFromMirror.All),
                new RegistryMirror("mirror-1.local/foo", true, PullFromMirror.DigestOnly),
                new RegistryMirror("mirror-2.local/foo", false, PullFromMirror.TagOnly),
                new RegistryMirror("mirror-3.local/foo", false, PullFromMirror.All),
            ],
            registry.Mirrors);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Inline_mirror_arrays_mean_the_same_as_mirror_tables()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            location = "example.com"
            mirror = [{ location = "m.local", insecure = true }]
            """, Source);

        Assert.Equal([new RegistryMirror("m.local", true, PullFromMirror.All)], Assert.Single(config.Registries).Mirrors);
    }

    [Fact]
    public void An_empty_file_is_the_man_pages_defaults()
    {
        var config = RegistriesConfig.Parse("", Source);

        Assert.Empty(config.Registries);
        Assert.Empty(config.UnqualifiedSearchRegistries);
        Assert.Null(config.UnqualifiedSearchRegistriesSource);
        Assert.Equal(ShortNameMode.Permissive, config.ShortNameMode);
        Assert.Empty(config.Aliases);
    }

    [Fact]
    public void Prefix_defaults_to_location()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            location = "example.com/ns/"
            """, Source);

        var registry = Assert.Single(config.Registries);
        Assert.Equal("example.com/ns", registry.Prefix);
        Assert.Equal("example.com/ns", registry.Location);
    }

    [Fact]
    public void A_wildcard_prefix_may_go_without_a_location()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            prefix = "*.example.com"
            blocked = true
            """, Source);

        var registry = Assert.Single(config.Registries);
        Assert.True(registry.IsWildcard);
        Assert.Equal("", registry.Location);
        Assert.True(registry.Blocked);
    }

    [Fact]
    public void Tables_are_unique_by_prefix_the_first_winning_and_sorted_by_prefix()
    {
        var config = RegistriesConfig.Parse("""
            [[registry]]
            location = "z.example.com"

            [[registry]]
            prefix = "a.example.com"
            location = "first.example.com"

            [[registry]]
            prefix = "a.example.com"
            location = "second.example.com"
            """, Source);

        Assert.Equal(["a.example.com", "z.example.com"], config.Registries.Select(r => r.Prefix));
        Assert.Equal("first.example.com", config.Registries[0].Location);
        Assert.Contains(config.Warnings, w => w.Contains("registry[2]", StringComparison.Ordinal) && w.Contains("same prefix", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_keys_are_warnings_naming_the_file_and_key()
    {
        var config = RegistriesConfig.Parse("""
            future-key = 1

            [[registry]]
            location = "example.com"
            future-registry-key = true

            [[registry.mirror]]
            location = "m.local"
            future-mirror-key = "x"
            """, Source);

        Assert.Equal(
            [
                $"{Source}: future-key: unknown key, ignored",
                $"{Source}: registry[0].future-registry-key: unknown key, ignored",
                $"{Source}: registry[0].mirror[0].future-mirror-key: unknown key, ignored",
            ],
            config.Warnings);
    }

    [Fact]
    public void Credential_helper_programs_are_a_warning()
    {
        var config = RegistriesConfig.Parse("""credential-helpers = ["pass"]""", Source);

        Assert.Contains(config.Warnings, w => w.Contains("credential-helpers", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string> InvalidFiles => new()
    {
        // file, key named in the error, fragment of the reason
        { "not toml = = =", "", "not valid TOML" },
        { "unqualified-search-registries = \"docker.io\"", "unqualified-search-registries", "expected an array of strings" },
        { "unqualified-search-registries = [1]", "unqualified-search-registries[0]", "expected a string" },
        { "unqualified-search-registries = [\"docker.io\", \"not a host\"]", "unqualified-search-registries[1]", "not a host[:port]" },
        { "unqualified-search-registries = [\"https://quay.io\"]", "unqualified-search-registries[0]", "URL scheme" },
        { "short-name-mode = \"prompt\"", "short-name-mode", "not one of" },
        { "[[registry]]\ninsecure = true", "registry[0]", "neither prefix nor location" },
        { "[[registry]]\nprefix = \"example.com\"", "registry[0].location", "location must be set" },
        { "[[registry]]\nlocation = \"https://example.com\"", "registry[0].location", "URL scheme" },
        { "[[registry]]\nprefix = \"http://example.com\"\nlocation = \"x.io\"", "registry[0].prefix", "URL scheme" },
        { "[[registry]]\nprefix = \"*.example.com:5000\"", "registry[0].prefix", "wildcard" },
        { "[[registry]]\nprefix = \"*.example.com/ns\"", "registry[0].prefix", "wildcard" },
        { "[[registry]]\nlocation = \"example.com\"\ninsecure = \"yes\"", "registry[0].insecure", "expected true or false, found the string \"yes\"" },
        { "[[registry]]\nlocation = \"example.com\"\nblocked = 1", "registry[0].blocked", "expected true or false, found the number 1" },
        { "[[registry]]\nlocation = \"example.com\"\npull-from-mirror = \"all\"", "registry[0].pull-from-mirror", "[[registry.mirror]]" },
        { "[[registry]]\nlocation = \"example.com\"\n[[registry.mirror]]\ninsecure = true", "registry[0].mirror[0].location", "needs a location" },
        { "[[registry]]\nlocation = \"example.com\"\n[[registry.mirror]]\nlocation = \"m\"\npull-from-mirror = \"sometimes\"", "registry[0].mirror[0].pull-from-mirror", "not one of" },
        { "[[registry]]\nlocation = \"example.com\"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = \"m\"\npull-from-mirror = \"all\"", "registry[0].mirror[0].pull-from-mirror", "mirror-by-digest-only" },
        { "[[registry]]\nprefix = \"a.example.com\"\nlocation = \"example.com\"\n[[registry]]\nprefix = \"b.example.com\"\nlocation = \"example.com\"\ninsecure = true", "registry[1].insecure", "registry[0]" },
        { "[[registry]]\nprefix = \"a.example.com\"\nlocation = \"example.com\"\nblocked = true\n[[registry]]\nlocation = \"example.com\"", "registry[1].blocked", "different 'blocked'" },
        { "registry = \"example.com\"", "registry", "expected an array of tables" },
        { "[aliases]\n\"quay.io/x\" = \"quay.io/x\"", "aliases.\"quay.io/x\"", "without a registry" },
        { "[aliases]\n\"x:1\" = \"quay.io/x\"", "aliases.\"x:1\"", "tag" },
        { "[aliases]\n\"x\" = \"x/y\"", "aliases.\"x\"", "must name a registry" },
        { "[aliases]\n\"x\" = \"quay.io/x:1\"", "aliases.\"x\"", "tag" },
        { "[aliases]\n\"x\" = \"quay.io/x@sha256:" + "0000000000000000000000000000000000000000000000000000000000000000" + "\"", "aliases.\"x\"", "digest" },
        { "[aliases]\n\"x\" = \"quay.io/X\"", "aliases.\"x\"", "lowercase" },
        { "[aliases]\n\"x\" = 1", "aliases.\"x\"", "expected a string" },
    };

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Bad_values_stop_the_load_naming_the_file_and_key(string toml, string key, string reason)
    {
        var e = Assert.Throws<RegistriesConfigException>(() => RegistriesConfig.Parse(toml, Source));

        Assert.Equal(Source, e.Source);
        Assert.Equal(key, e.Key);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.StartsWith(key.Length == 0 ? $"{Source}: " : $"{Source}: {key}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_v1_format_is_converted_to_v2_tables()
    {
        var config = RegistriesConfig.Parse("""
            [registries.search]
            registries = ["registry1.com", "registry2.com"]

            [registries.insecure]
            registries = ["registry3.com", "registry.untrusted.com"]

            [registries.block]
            registries = ["registry.untrusted.com", "registry.unsafe.com/"]
            """, Source);

        Assert.Equal(["registry1.com", "registry2.com"], config.UnqualifiedSearchRegistries);
        Assert.Collection(config.Registries,
            r => Assert.Equal(("registry.unsafe.com", "registry.unsafe.com", false, true), (r.Prefix, r.Location, r.Insecure, r.Blocked)),
            r => Assert.Equal(("registry.untrusted.com", "registry.untrusted.com", true, true), (r.Prefix, r.Location, r.Insecure, r.Blocked)),
            r => Assert.Equal(("registry3.com", "registry3.com", true, false), (r.Prefix, r.Location, r.Insecure, r.Blocked)));
    }

    [Fact]
    public void Mixing_v1_and_v2_in_one_file_is_refused()
    {
        var e = Assert.Throws<RegistriesConfigException>(() => RegistriesConfig.Parse("""
            unqualified-search-registries = ["docker.io"]

            [registries.search]
            registries = ["quay.io"]
            """, Source));

        Assert.Equal("unqualified-search-registries", e.Key);
        Assert.Contains("cannot be mixed", e.Reason, StringComparison.Ordinal);
    }
}
