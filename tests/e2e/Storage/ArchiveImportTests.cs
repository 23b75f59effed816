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

    // Hostile archives, each refused with a message saying why, and nothing left in the store:
    // the archive is read in place, so what its links say never reaches a path of the node.
    public static TheoryData<string, string, string> HostileArchives => new()
    {
        // Two links that each stay inside when read as text, but lead above the archive together.
        { "docker-archive", "leads out of the archive", "link:a/b=..|link:c=a/b/..|manifest:c/config.json" },
        { "docker-archive", "links to the absolute path", "link:config.json=/etc/hostname|manifest:config.json" },
        { "docker-archive", "climbs out of the archive", "manifest:../../etc/hostname" },
        { "docker-archive", "appears twice", "link:layer.tar=x|folder:layer.tar/|manifest:config.json" },
        { "docker-archive", "is a folder, not a file", "folder:blobs/|manifest:blobs" },
        { "docker-archive", "appears twice", "manifest:config.json|manifest:config.json" },
        { "oci-archive", "links to the absolute path", "link:index.json=/etc/hostname" },
    };

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public async Task A_hostile_archive_is_refused_naming_why_and_leaves_nothing(string transport, string expected, string entries)
    {
        var archive = Path.Combine(_folder.Root, "hostile.tar");
        await using (var file = File.Create(archive))
        await using (var tar = new System.Formats.Tar.TarWriter(file, System.Formats.Tar.TarEntryFormat.Pax))
        {
            foreach (var spec in entries.Split('|'))
            {
                var (kind, rest) = (spec[..spec.IndexOf(':', StringComparison.Ordinal)], spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..]);
                await tar.WriteEntryAsync(kind switch
                {
                    "link" => new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.SymbolicLink, rest.Split('=')[0]) { LinkName = rest.Split('=')[1] },
                    "folder" => new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, rest),
                    _ => new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "manifest.json")
                    {
                        DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($$"""[{"Config":"{{rest}}","RepoTags":["localhost/hostile:1"],"Layers":["layer.tar"]}]""")),
                    },
                });
            }
        }

        var (exitCode, _, errors) = await Crio("storage", "import", $"{transport}:{archive}");

        Assert.True(exitCode == 1, errors);
        Assert.Contains(expected, errors, StringComparison.Ordinal);
        var (_, images, _) = await Crio("storage", "images");
        Assert.DoesNotContain("hostile", images, StringComparison.Ordinal);
        var (_, layers, _) = await Crio("storage", "layers");
        Assert.Equal("ID\tPARENT\tSIZE\tNAMES", Assert.Single(layers.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    // Layers are streamed from their place in the archive and hashed as they are applied, so a
    // layer larger than any byte array (here 3 GiB, a hole on disk: an empty tar and its zeros)
    // imports with bounded memory.
    [Fact]
    public async Task A_docker_archive_with_a_3_GiB_layer_imports_without_holding_it()
    {
        const long layerSize = 3L << 30;
        var zeros = new byte[1 << 20];
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        for (long done = 0; done < layerSize; done += zeros.Length)
        {
            hash.AppendData(zeros);
        }

        var diffId = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        var config = $$$"""{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["{{{diffId}}}"]}}""";
        var manifest = """[{"Config":"config.json","RepoTags":["localhost/big:1"],"Layers":["big/layer.tar"]}]""";
        var archive = Path.Combine(_folder.Root, "big.tar");
        await using (var file = File.Create(archive))
        {
            await using (var tar = new System.Formats.Tar.TarWriter(file, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
            {
                await tar.WriteEntryAsync(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(manifest)) });
                await tar.WriteEntryAsync(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "config.json") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(config)) });
            }

            SparseTar.AppendHoleEntry(file, "big/layer.tar", layerSize);
        }

        Assert.True(new FileInfo(archive).Length > layerSize);
        var (exitCode, output, errors) = await Crio("storage", "import", $"docker-archive:{archive}");

        Assert.True(exitCode == 0, errors);
        var (_, images, _) = await Crio("storage", "images");
        Assert.Contains("localhost/big:1", images, StringComparison.Ordinal);
        Assert.Contains(output.Trim()[..12], images, StringComparison.Ordinal);
        var (_, layers, _) = await Crio("storage", "layers");
        Assert.Equal(2, layers.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);   // the heading and the layer
    }

    public void Dispose() => _folder.Dispose();

    private Task<(int ExitCode, string Output, string Errors)> Crio(params string[] arguments) =>
        ChildProcess.RunAsync(RepositoryPaths.CrioBinary, [.. arguments, .. _folder.DaemonArguments()], timeout: TimeSpan.FromSeconds(120));
}
