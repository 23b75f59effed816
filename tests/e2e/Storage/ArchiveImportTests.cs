using CriO.E2E.Tests.Fixtures;
using CriO.TestImages;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Storage;

/// <summary>An air-gapped preload: `crio storage import` of the archives skopeo writes, no registry involved.</summary>
public sealed class ArchiveImportTests : IDisposable
{
    private readonly CrioFolder _folder = new();

    [Theory]
    [InlineData("docker-archive", "docker.io/library/busybox:latest")]
    [InlineData("oci-archive", "localhost/preload:1")]
    public async Task An_archive_skopeo_wrote_imports_with_its_name_and_layers(string transport, string expectedName)
    {
        var layout = new OciLayout(Path.Combine(_folder.Root, "layout"));
        layout.AddImage(BusyboxImages.Busybox(), "busybox");
        var archive = Path.Combine(_folder.Root, "image.tar");
        var destination = transport == "docker-archive" ? $"docker-archive:{archive}:busybox:latest" : $"oci-archive:{archive}";
        var (copyExit, _, copyErrors) = await ChildProcess.RunAsync("skopeo", ["copy", "--quiet", $"oci:{layout.Directory}:busybox", destination], timeout: TimeSpan.FromSeconds(120));
        Assert.True(copyExit == 0, copyErrors);
        string[] names = transport == "docker-archive" ? [] : [expectedName];

        var (exitCode, output, errors) = await Crio(["storage", "import", $"{transport}:{archive}", .. names]);

        Assert.True(exitCode == 0, errors);
        var (_, images, _) = await Crio("storage", "images");
        Assert.Contains(expectedName, images, StringComparison.Ordinal);
        Assert.Contains(output.Trim()[..12], images, StringComparison.Ordinal);
        var (_, layers, _) = await Crio("storage", "layers");
        Assert.Equal(4, layers.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task An_archive_with_an_entry_climbing_out_is_refused_and_leaves_nothing()
    {
        var archive = Path.Combine(_folder.Root, "evil.tar");
        await using (var file = File.Create(archive))
        await using (var tar = new System.Formats.Tar.TarWriter(file))
        {
            await tar.WriteEntryAsync(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "../../escaped") { DataStream = new MemoryStream([1]) });
        }

        var (exitCode, _, errors) = await Crio("storage", "import", $"docker-archive:{archive}");

        Assert.Equal(1, exitCode);
        Assert.Contains("climbs out", errors, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "escaped")));
    }

    public void Dispose() => _folder.Dispose();

    private Task<(int ExitCode, string Output, string Errors)> Crio(params string[] arguments) =>
        ChildProcess.RunAsync(RepositoryPaths.CrioBinary, [.. arguments, .. _folder.DaemonArguments()], timeout: TimeSpan.FromSeconds(120));
}
