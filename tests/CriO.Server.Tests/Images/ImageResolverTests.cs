using CriO.Image.Registries;
using CriO.Server.Images;
using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Server.Tests.Images;

/// <summary>What a CRI image string names: an ID in any of its forms, present or gone, or a reference.</summary>
public sealed class ImageResolverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("crio-resolver-").FullName;
    private readonly ContainerStorage _storage;
    private readonly string _id = "b0" + new string('1', 62);

    public ImageResolverTests()
    {
        _storage = ContainerStorage.Open(Path.Join(_root, "graph"), Path.Join(_root, "run"));
        _storage.CreateImage(_id, null, ["quay.io/team/app:1", "quay.io/team/app:2"], GoTimestamp.Zero);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ImageResolver Resolver(string registriesConf = "unqualified-search-registries = [\"quay.io\"]\n") =>
        new(_storage, () => RegistriesConfig.Parse(registriesConf, "registries.conf"));

    [Theory]
    [InlineData("")]
    [InlineData("sha256:")]
    public void A_full_ID_or_sha256_ID_or_a_prefix_names_the_image_and_no_name_of_it(string prefix)
    {
        Assert.Equal((_id, (string?)null), Pick(Resolver().FindWithName(prefix + _id)));
        Assert.Equal((_id, (string?)null), Pick(Resolver().FindWithName(_id[..12])));
        Assert.Equal((_id, (string?)null), Pick(Resolver().FindWithName(_id[..3])));
    }

    [Fact]
    public void A_reference_or_short_name_names_the_image_by_the_name_it_matched()
    {
        Assert.Equal((_id, "quay.io/team/app:2"), Pick(Resolver().FindWithName("quay.io/team/app:2")));
        Assert.Equal((_id, "quay.io/team/app:1"), Pick(Resolver().FindWithName("team/app:1")));
        Assert.Equal((null, null), Pick(Resolver().FindWithName("quay.io/team/app:3")));
    }

    /// <summary>
    /// Regression: an ID no longer stored went on to the short-name parser, which refuses 64
    /// hexadecimal digits as a repository name, and ImageStatus and RemoveImage answered
    /// InvalidArgument instead of nothing.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData("sha256:")]
    public void An_ID_no_longer_stored_names_nothing_and_is_no_error(string prefix)
    {
        var gone = new string('c', 64);
        Assert.Equal((null, null), Pick(Resolver().FindWithName(prefix + gone)));
        Assert.Equal((null, null), Pick(Resolver(registriesConf: "").FindWithName(prefix + gone)));
    }

    [Fact]
    public void Hex_digits_that_are_no_stored_prefix_and_no_resolvable_short_name_name_nothing()
    {
        // No search registry: "cafe" cannot be a short name either, which is no error for an ID prefix...
        Assert.Equal((null, null), Pick(Resolver(registriesConf: "").FindWithName("cafe12")));

        // ...while a name that cannot be an ID keeps its error.
        Assert.Throws<ShortNameResolutionException>(() => Resolver(registriesConf: "").FindWithName("team/app:1"));
    }

    [Fact]
    public void An_ambiguous_prefix_names_no_image_by_ID()
    {
        _storage.CreateImage("b01" + new string('2', 61), null, [], GoTimestamp.Zero);
        Assert.Equal((null, null), Pick(Resolver().FindWithName("b01")));
        Assert.Equal((_id, (string?)null), Pick(Resolver().FindWithName("b011")));

        // Fewer than 3 digits are never an ID prefix (CRI-O's minimum), only a short name.
        Assert.Equal((null, null), Pick(Resolver().FindWithName("b0")));
    }

    private static (string? Id, string? Name) Pick((ImageRecord? Image, string? MatchedName) found) => (found.Image?.Id, found.MatchedName);
}
