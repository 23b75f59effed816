using CriO.Image.Reference;
using CriO.Image.Registries;

namespace CriO.Image.Tests.Registries;

public class ShortNameResolutionTests
{
    private const string Source = "/etc/containers/registries.conf";
    private static readonly string Digest = "sha256:" + new string('d', 64);

    private static RegistriesConfig Config(string mode, params string[] search) => RegistriesConfig.Parse($"""
        unqualified-search-registries = [{string.Join(", ", search.Select(s => $"\"{s}\""))}]
        short-name-mode = "{mode}"

        [aliases]
        "fedora" = "registry.fedoraproject.org/fedora"
        "alpine" = "docker.io/alpine"
        "ubi8/ubi" = "registry.access.redhat.com/ubi8/ubi"
        """, Source);

    private static string[] Candidates(ShortNameResolution resolution) => resolution.Candidates.Select(c => c.ToString()).ToArray();

    [Theory]
    [InlineData("quay.io/app", "quay.io/app:latest")]
    [InlineData("localhost/app:1", "localhost/app:1")]
    [InlineData("localhost:5000/app", "localhost:5000/app:latest")]
    [InlineData("docker.io/fedora", "docker.io/library/fedora:latest")]
    public void A_name_with_a_registry_is_its_own_candidate(string name, string expected)
    {
        var resolution = Config("enforcing", "a.example", "b.example").ResolveShortName(name);

        Assert.Equal([expected], Candidates(resolution));
        Assert.Equal(ShortNameResolutionKind.FullyQualified, resolution.Kind);
        Assert.Equal("", resolution.Description);
    }

    [Theory]
    [InlineData("fedora", "registry.fedoraproject.org/fedora:latest")]
    [InlineData("fedora:40", "registry.fedoraproject.org/fedora:40")]
    [InlineData("alpine:3", "docker.io/library/alpine:3")]
    [InlineData("ubi8/ubi", "registry.access.redhat.com/ubi8/ubi:latest")]
    public void An_alias_wins_even_when_enforcing_with_several_search_registries(string name, string expected)
    {
        var resolution = Config("enforcing", "a.example", "b.example").ResolveShortName(name);

        Assert.Equal([expected], Candidates(resolution));
        Assert.Equal(ShortNameResolutionKind.Alias, resolution.Kind);
        Assert.Equal(Source, resolution.Origin);
        Assert.Contains("as an alias", resolution.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_gets_the_users_digest_back()
    {
        var resolution = Config("enforcing").ResolveShortName($"fedora:40@{Digest}");

        Assert.Equal([$"registry.fedoraproject.org/fedora:40@{Digest}"], Candidates(resolution));
    }

    [Fact]
    public void Search_registries_give_one_candidate_each_in_order_with_docker_hubs_library_rule()
    {
        var resolution = Config("permissive", "quay.io", "docker.io", "localhost:5000").ResolveShortName("busybox:1.36");

        Assert.Equal(["quay.io/busybox:1.36", "docker.io/library/busybox:1.36", "localhost:5000/busybox:1.36"], Candidates(resolution));
        Assert.Equal(ShortNameResolutionKind.SearchRegistries, resolution.Kind);
        Assert.Equal(Source, resolution.Origin);
    }

    [Fact]
    public void A_namespaced_short_name_keeps_its_namespace_on_every_registry()
    {
        var resolution = Config("disabled", "quay.io", "docker.io").ResolveShortName("team/app");

        Assert.Equal(["quay.io/team/app:latest", "docker.io/team/app:latest"], Candidates(resolution));
    }

    [Fact]
    public void Enforcing_refuses_an_ambiguous_short_name_as_CRI_O_does()
    {
        var e = Assert.Throws<ShortNameResolutionException>(() => Config("enforcing", "quay.io", "docker.io").ResolveShortName("busybox"));

        Assert.Equal("busybox", e.Name);
        Assert.StartsWith("short name mode is enforcing, but image name busybox returns ambiguous list", e.Message, StringComparison.Ordinal);
        Assert.Contains("quay.io/busybox:latest, docker.io/library/busybox:latest", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enforcing_allows_a_single_search_registry()
    {
        Assert.Equal(["docker.io/library/busybox:latest"], Candidates(Config("enforcing", "docker.io").ResolveShortName("busybox")));
    }

    [Theory]
    [InlineData("permissive")]
    [InlineData("disabled")]
    public void Permissive_and_disabled_try_every_search_registry(string mode)
    {
        Assert.Equal(2, Config(mode, "quay.io", "docker.io").ResolveShortName("busybox").Candidates.Count);
    }

    [Fact]
    public void The_daemons_own_short_name_mode_overrides_the_file()
    {
        var config = Config("permissive", "quay.io", "docker.io").WithShortNameMode(ShortNameMode.Enforcing);

        Assert.Equal(ShortNameMode.Enforcing, config.ShortNameMode);
        Assert.Throws<ShortNameResolutionException>(() => config.ResolveShortName("busybox"));
    }

    [Fact]
    public void Without_alias_or_search_registries_the_error_names_the_file()
    {
        var e = Assert.Throws<ShortNameResolutionException>(() => Config("permissive").ResolveShortName("busybox"));

        Assert.Contains($"unqualified-search-registries is empty in {Source}", e.Message, StringComparison.Ordinal);
        Assert.Contains("did not resolve to an alias", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_any_configuration_a_short_name_is_refused()
    {
        var e = Assert.Throws<ShortNameResolutionException>(() => RegistriesConfig.Empty.ResolveShortName("busybox"));

        Assert.Contains("no registries.conf sets unqualified-search-registries", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Busybox")]
    [InlineData("busybox:")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public void Names_that_are_not_references_are_refused(string name)
    {
        Assert.Throws<ReferenceFormatException>(() => Config("permissive", "docker.io").ResolveShortName(name));
    }
}
