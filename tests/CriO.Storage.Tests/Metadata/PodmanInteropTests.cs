using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using CriO.Storage.Locking;
using CriO.Storage.Metadata;
using CriO.Tests.Shared;

namespace CriO.Storage.Tests.Metadata;

/// <summary>
/// Our reader, writer and lock against a store that Debian's podman wrote and keeps using: we
/// find what `podman import` made, podman sees the names we add (a long-running podman service
/// too, which reloads only when the lock file's last-writer token changes), podman waits while we
/// hold the lock, and we notice podman's writes through the token.
/// </summary>
public sealed class PodmanInteropTests
{
    private const string ImageName = "localhost/crio-interop:1";
    private static readonly TimeSpan s_podmanTimeout = PodmanCli.Timeout;

    [PodmanFact]
    public async Task PodmanAndCrio_ShareImagesJsonAndItsLock()
    {
        using var store = new TempStoreDirectory("crio-podman-");
        var podman = new PodmanCli(store);
        var tar = store.Path("layer.tar");
        var diffDigest = WriteLayerTar(tar);

        await podman.RunAsync("import", tar, ImageName);

        // We read what podman wrote, and can write it back byte for byte.
        var imagesJson = store.Path("graph", "overlay-images", "images.json");
        var layersJson = store.Path("graph", "overlay-layers", "layers.json");
        var image = MetadataFile.Read<ImageRecord>(imagesJson).Single(i => i.Names?.Contains(ImageName) == true);
        var layer = MetadataFile.Read<LayerRecord>(layersJson).Single(l => l.Id == image.TopLayer);
        Assert.Equal(diffDigest, layer.UncompressedDigest);
        Assert.Equal(File.ReadAllBytes(imagesJson), MetadataFile.Serialize(MetadataFile.Read<ImageRecord>(imagesJson)));
        Assert.Equal(File.ReadAllBytes(layersJson), MetadataFile.Serialize(MetadataFile.Read<LayerRecord>(layersJson)));
        Assert.All(image.BigDataNames!, key => Assert.True(File.Exists(store.Path("graph", "overlay-images", image.Id, BigDataFileName.For(key))), key));
        var link = File.ReadAllText(store.Path("graph", "overlay", layer.Id, "link"));
        Assert.Matches("^[A-Z2-7]{26}$", link);
        Assert.Equal($"../{layer.Id}/diff", new FileInfo(store.Path("graph", "overlay", "l", link)).LinkTarget);

        await using var service = await podman.StartServiceAsync();
        Assert.Contains(ImageName, await service.ImagesAsync(), StringComparison.Ordinal);

        var imagesLock = LockFile.Open(store.Path("graph", "overlay-images", "images.lock"));

        // Control: a change without a new token stays invisible to the running service, which
        // shows that the token (not the file's timestamp) is what makes containers/storage reload.
        using (imagesLock.LockExclusive())
        {
            AddName(imagesJson, image.Id, "localhost/crio-unannounced:1");
        }

        Assert.DoesNotContain("crio-unannounced", await service.ImagesAsync(), StringComparison.Ordinal);

        // The protocol: under the exclusive lock, record the write, then write.
        using (var held = imagesLock.LockExclusive())
        {
            held.RecordWrite();
            AddName(imagesJson, image.Id, "localhost/crio-added:1");
        }

        Assert.Contains("localhost/crio-added:1", await service.ImagesAsync(), StringComparison.Ordinal);
        Assert.Contains("localhost/crio-added:1", await podman.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}"), StringComparison.Ordinal);

        // podman waits while we hold the lock.
        Task<string> listing;
        using (imagesLock.LockExclusive())
        {
            listing = podman.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}");
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.False(listing.IsCompleted, "podman listed images while we held images.lock exclusive");
        }

        Assert.Contains(ImageName, await listing.WaitAsync(s_podmanTimeout), StringComparison.Ordinal);

        // We notice podman's writes through the token.
        await podman.RunAsync("tag", ImageName, "localhost/crio-tagged:1");
        using (var held = imagesLock.LockShared())
        {
            Assert.True(held.ModifiedSinceLastSeen(out _));
            Assert.Contains("localhost/crio-tagged:1", MetadataFile.Read<ImageRecord>(imagesJson).Single(i => i.Id == image.Id).Names!);
        }

        await podman.RunAsync("rmi", "--all", "--force");
    }

    private static void AddName(string imagesJson, string imageId, string name)
    {
        var images = MetadataFile.Read<ImageRecord>(imagesJson);
        var image = images.Single(i => i.Id == imageId);
        image.Names = [.. image.Names ?? [], name];
        image.NamesHistory = [name, .. (image.NamesHistory ?? []).Where(n => n != name)];
        MetadataFile.WriteAtomically(imagesJson, images);
    }

    /// <summary>A two-entry tar; returns its sha256 digest (the layer's DiffID).</summary>
    private static string WriteLayerTar(string path)
    {
        using (var file = File.Create(path))
        using (var writer = new TarWriter(file, TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/") { Mode = (UnixFileMode)0b111_101_101 });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "etc/hello.txt")
            {
                Mode = (UnixFileMode)0b110_100_100,
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes("hello from crio\n")),
            });
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
    }
}
