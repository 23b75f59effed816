using System.Text;
using System.Text.Json;
using CriO.Storage.Metadata;

namespace CriO.Storage.Tests.Metadata;

/// <summary>Our records read what podman wrote, and write it back byte for byte.</summary>
public sealed class RecordRoundTripTests
{
    [Theory]
    [InlineData(nameof(PodmanFixtures.Layers))]
    [InlineData(nameof(PodmanFixtures.Images))]
    [InlineData(nameof(PodmanFixtures.Containers))]
    [InlineData(nameof(PodmanFixtures.MountPoints))]
    public void PodmanFileRewrittenUnchanged_IsByteIdentical(string fixture)
    {
        var (json, rewritten) = fixture switch
        {
            nameof(PodmanFixtures.Layers) => (PodmanFixtures.Layers, RoundTrip<LayerRecord>(PodmanFixtures.Layers)),
            nameof(PodmanFixtures.Images) => (PodmanFixtures.Images, RoundTrip<ImageRecord>(PodmanFixtures.Images)),
            nameof(PodmanFixtures.Containers) => (PodmanFixtures.Containers, RoundTrip<ContainerRecord>(PodmanFixtures.Containers)),
            _ => (PodmanFixtures.MountPoints, RoundTrip<MountPointRecord>(PodmanFixtures.MountPoints)),
        };

        Assert.Equal(json, rewritten);
    }

    [Fact]
    public void Layers_FieldsAsPodmanWroteThem()
    {
        var layers = MetadataFile.Parse<LayerRecord>(Encoding.UTF8.GetBytes(PodmanFixtures.Layers));

        Assert.Equal(3, layers.Count);
        var (imported, pulled, container) = (layers[0], layers[1], layers[2]);
        Assert.Equal("9730017ff341a01b9a21a53362f37fb4acf17f6b61707480c5e76e9dabbd5e50", imported.Id);
        Assert.Null(imported.Parent);
        Assert.Equal(CompressionType.Uncompressed, imported.Compression);
        Assert.Equal(10240, imported.UncompressedSize);
        Assert.Equal([0u], imported.UidSet!);
        Assert.Equal(imported.Id, pulled.Parent);
        Assert.Equal(CompressionType.Gzip, pulled.Compression);
        Assert.Equal(165, pulled.CompressedSize);
        Assert.Equal("sha256:47cc67e751659087d81338626a19febb8684a3d63d331e010cd1ea0ed73ded61", pulled.UncompressedDigest);
        Assert.Equal(["c1-layer"], container.Names!);
        Assert.Null(container.UncompressedDigest);
        Assert.Equal("2026-11-23T18:35:27.692152094Z", imported.Created.Text);
        Assert.False(imported.IsIncomplete);
        Assert.All(layers, layer => Assert.Null(layer.UnknownFields));
    }

    [Fact]
    public void Images_FieldsAsPodmanWroteThem()
    {
        var images = MetadataFile.Parse<ImageRecord>(Encoding.UTF8.GetBytes(PodmanFixtures.Images));

        var pulled = images.Single(image => image.Names!.Contains("docker.io/library/two:latest"));
        Assert.Equal("00974b709a1f43dc6b21d32d24fc35e4526d61a03dd7277b1dd225a933d39fee", pulled.Id);
        Assert.Equal("470ef86dea14653e871f422edeb75051b0cc4a03ca6c2488c0c90cfd29a82e00", pulled.TopLayer);
        Assert.Equal("sha256:134704e5305a40134415a36b65535c27c5f6b81e91b1bcb0ec5ab397bf6eb35f", pulled.Digest);
        Assert.Equal(["sha256:134704e5305a40134415a36b65535c27c5f6b81e91b1bcb0ec5ab397bf6eb35f"], pulled.ComputeDigests());
        Assert.Equal(555, pulled.BigDataSizes!["manifest"]);
        Assert.Contains("sha256:" + pulled.Id, pulled.BigDataNames!); // the config blob, keyed by its digest
        Assert.Equal("2024-03-01T12:00:00.5+02:00", pulled.Created.Text);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 12, 0, 0, 500, TimeSpan.FromHours(2)), pulled.Created.Value);
        Assert.Contains("signatures-sizes", pulled.Metadata!, StringComparison.Ordinal);
    }

    [Fact]
    public void Containers_ImageLayerAndFlags()
    {
        var container = Assert.Single(MetadataFile.Parse<ContainerRecord>(Encoding.UTF8.GetBytes(PodmanFixtures.Containers)));

        Assert.Equal("00974b709a1f43dc6b21d32d24fc35e4526d61a03dd7277b1dd225a933d39fee", container.ImageId);
        Assert.Equal("118d11b272c29ff1a40b59561ef065de7fabb000f4134f77eeeacd23df69236d", container.LayerId);
        Assert.Equal("", container.Flags!["MountLabel"].GetString());
        Assert.Equal(["MountLabel", "ProcessLabel"], container.Flags.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void UnknownFields_AndUnknownFlagValues_SurviveARewrite()
    {
        const string json =
            """[{"id":"aa","created":"2025-01-02T03:04:05Z","flags":{"incomplete":true,"zz-future":{"a":[1,2.5,null]}},"future-field":{"nested":["x"]},"another":7}]""";

        var layers = MetadataFile.Parse<LayerRecord>(Encoding.UTF8.GetBytes(json));
        layers[0].Names = ["renamed"];
        var rewritten = Encoding.UTF8.GetString(MetadataFile.Serialize(layers));

        Assert.True(layers[0].IsIncomplete);
        Assert.Equal(
            """[{"id":"aa","names":["renamed"],"created":"2025-01-02T03:04:05Z","flags":{"incomplete":true,"zz-future":{"a":[1,2.5,null]}},"future-field":{"nested":["x"]},"another":7}]""",
            rewritten);
    }

    [Fact]
    public void EmptyFields_AreOmittedAsGoOmitempty()
    {
        var layer = new LayerRecord
        {
            Id = "ab",
            Names = [],
            Parent = "",
            Flags = [],
            BigDataNames = [],
            UidSet = [],
            Created = GoTimestamp.Parse("2025-01-02T03:04:05.1Z"),
        };
        var image = new ImageRecord { Id = "cd", BigDataSizes = [], Digest = "" };
        var container = new ContainerRecord { Id = "ef" };

        Assert.Equal("""[{"id":"ab","created":"2025-01-02T03:04:05.1Z"}]""", Json([layer]));
        Assert.Equal("""[{"id":"cd","created":"0001-01-01T00:00:00Z"}]""", Json([image]));
        Assert.Equal("""[{"id":"ef","image":"","layer":"","created":"0001-01-01T00:00:00Z"}]""", Json([container]));
        Assert.Equal("""[{"id":"x","path":"","count":0}]""", Json([new MountPointRecord { Id = "x" }]));
    }

    [Fact]
    public void IncompleteFlag_SetAndCleared()
    {
        var layer = new LayerRecord { Id = "ab", Created = GoTimestamp.Parse("2025-01-02T03:04:05Z") };

        layer.IsIncomplete = true;
        var marked = Json([layer]);
        layer.IsIncomplete = false;

        Assert.Equal("""[{"id":"ab","created":"2025-01-02T03:04:05Z","flags":{"incomplete":true}}]""", marked);
        Assert.Equal("""[{"id":"ab","created":"2025-01-02T03:04:05Z"}]""", Json([layer]));
    }

    [Fact]
    public void Strings_EscapedAsGoEscapesThem()
    {
        var image = new ImageRecord
        {
            Id = "ab",
            Names = ["a<b>&c", "naïve/ünïcode:1", "quote\"back\\slash", "line\nbreak\u0001", "sep\u2028"],
            Created = GoTimestamp.Parse("2024-03-01T12:00:00+02:00"),
        };

        Assert.Equal(
            """[{"id":"ab","names":["a\u003cb\u003e\u0026c","naïve/ünïcode:1","quote\"back\\slash","line\nbreak\u0001","sep\u2028"],"created":"2024-03-01T12:00:00+02:00"}]""",
            Json([image]));
    }

    [Fact]
    public void MapKeys_WrittenInGoOrder_WhateverTheInsertionOrder()
    {
        var image = new ImageRecord
        {
            Id = "ab",
            BigDataSizes = new() { ["signature-x"] = 0, ["manifest-sha256:y"] = 2, ["manifest"] = 2, ["\uE000"] = 1, ["\U0001F600"] = 1, ["Z"] = 1 },
        };

        var json = Json([image]);

        Assert.Contains("{\"Z\":1,\"manifest\":2,\"manifest-sha256:y\":2,\"signature-x\":0,", json, StringComparison.Ordinal);
        Assert.True(json.IndexOf('\uE000', StringComparison.Ordinal) < json.IndexOf("\U0001F600", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    public void EmptyInputs_ReadAsNoRecords(string json) =>
        Assert.Empty(MetadataFile.Parse<ImageRecord>(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("{}")]
    [InlineData("[{\"id\":\"x\",\"created\":\"yesterday\"}]")]
    [InlineData("[{\"id\":\"x\"},]")]
    public void MalformedInputs_AreErrorsNotEmptyStores(string json) =>
        Assert.ThrowsAny<JsonException>(() => MetadataFile.Parse<LayerRecord>(Encoding.UTF8.GetBytes(json)));

    private static string RoundTrip<T>(string json) =>
        Encoding.UTF8.GetString(MetadataFile.Serialize(MetadataFile.Parse<T>(Encoding.UTF8.GetBytes(json))));

    private static string Json<T>(List<T> records) => Encoding.UTF8.GetString(MetadataFile.Serialize(records));
}
