using System.Text.Json;
using CriO.TestImages;
using CriO.Tests.Shared;

namespace CriO.Storage.Tests.Interop;

/// <summary>
/// The test images are only as good as their format: skopeo, an independent OCI
/// implementation, must read the layouts we write, digests and config included.
/// </summary>
public sealed class TestImageLayoutTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crio-layout-").FullName;

    [Fact]
    public async Task Skopeo_reads_the_busybox_layout_with_our_layer_digests_and_config()
    {
        var layout = new OciLayout(Path.Combine(_directory, "layout"));
        var image = BusyboxImages.WithUser();
        layout.AddImage(image, "busybox");

        var (exitCode, output, errors) = await ChildProcess.RunAsync("skopeo", ["inspect", $"oci:{layout.Directory}:busybox"]);

        Assert.True(exitCode == 0, errors);
        using var inspected = JsonDocument.Parse(output);
        Assert.Equal("amd64", inspected.RootElement.GetProperty("Architecture").GetString());
        var layers = inspected.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Equal(image.Layers.Select(l => TestLayer.Digest(l.ToTarGzip())), layers);
    }

    [Fact]
    public async Task Layers_are_deterministic_across_builds()
    {
        var first = BusyboxImages.Busybox().Layers.Select(l => TestLayer.Digest(l.ToTarGzip())).ToList();
        var second = BusyboxImages.Busybox().Layers.Select(l => TestLayer.Digest(l.ToTarGzip())).ToList();

        Assert.Equal(first, second);
        await Task.CompletedTask;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
