using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using CriO.Image.Import;
using CriO.Storage.Store;
using CriO.Storage.Tests.Metadata;
using CriO.TestImages;
using CriO.Tests.Shared;

namespace CriO.Storage.Tests.Interop;

/// <summary>
/// One store, three tools: skopeo fills it and we use what it wrote; we import an image and
/// podman lists and inspects it, and skopeo copies it back out with the same layer DiffIDs,
/// which it can only do if our tar-split records rebuild each layer's exact tar.
/// </summary>
public sealed class StoreInteropTests : IDisposable
{
    private readonly TempStoreDirectory _store = new("crio-interop-");

    private string Graph => _store.Path("graph");

    private string Run => _store.Path("run");

    private string StoreReference(string name) => $"containers-storage:[overlay@{Graph}+{Run}]{name}";

    [PodmanFact]
    public async Task An_image_skopeo_copied_in_is_listed_and_its_container_mounts_with_the_image_files()
    {
        var layout = new OciLayout(_store.Path("layout"));
        layout.AddImage(BusyboxImages.Busybox(), "busybox");
        await RunAsync("skopeo", "copy", "--quiet", $"oci:{layout.Directory}:busybox", StoreReference("localhost/busybox:latest"));

        var storage = ContainerStorage.Open(Graph, Run);
        var image = storage.Images.Find("localhost/busybox:latest");
        Assert.NotNull(image);
        Assert.Equal(3, LayerChain(storage, image.TopLayer!).Count);

        var container = storage.CreateContainer(null, ["interop"], "localhost/busybox:latest");
        var root = storage.MountContainer(container.Id);
        try
        {
            Assert.Equal(await File.ReadAllBytesAsync(BusyboxImages.BusyboxPath), await File.ReadAllBytesAsync(Path.Combine(root, "bin", "busybox")));
            Assert.Equal("busybox", new FileInfo(Path.Combine(root, "bin", "sh")).LinkTarget);
            Assert.Contains("app:x:1000:1000", await File.ReadAllTextAsync(Path.Combine(root, "etc", "passwd")), StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(root, "tmp", "written"), "by the container");
        }
        finally
        {
            Assert.False(storage.UnmountContainer(container.Id));
        }

        Assert.True(File.Exists(Path.Combine(storage.Layers.Driver.DiffDirectory(container.LayerId), "tmp", "written")));
        storage.DeleteContainer(container.Id);
        Assert.Null(storage.Containers.Find(container.Id));
        Assert.Null(storage.Layers.Find(container.LayerId));

        // containers/storage (skopeo here) leaves the driver home bind-mounted on itself on purpose; layer mounts must be gone.
        Assert.Equal([Path.Combine(Graph, "overlay")], _store.Mounts());
    }

    [PodmanFact]
    public async Task An_image_we_imported_is_seen_by_podman_and_copied_out_by_skopeo_with_the_same_layer_digests()
    {
        var image = BusyboxImages.WithUser();
        var layout = new OciLayout(_store.Path("layout"));
        layout.AddImage(image, "app");
        var storage = ContainerStorage.Open(Graph, Run);

        var record = await OciLayoutImporter.ImportAsync(storage, layout.Directory, "app", ["localhost/ours:1"], CancellationToken.None);

        var podman = new PodmanCli(_store);
        Assert.Contains("localhost/ours:1", await podman.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}"), StringComparison.Ordinal);
        using (var inspected = JsonDocument.Parse(await podman.RunAsync("image", "inspect", "localhost/ours:1")))
        {
            var first = inspected.RootElement[0];
            Assert.Equal(record.Id, first.GetProperty("Id").GetString());
            Assert.Equal("app", first.GetProperty("Config").GetProperty("User").GetString());
            Assert.Equal(image.Layers.Select(l => TestLayer.Digest(l.ToTar())), first.GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(e => e.GetString()));
        }

        var copied = _store.Path("copied");
        await RunAsync("skopeo", "copy", "--quiet", StoreReference("localhost/ours:1"), $"oci:{copied}:out");

        Assert.Equal(image.Layers.Select(l => TestLayer.Digest(l.ToTar())), CopiedLayerDiffIds(copied));
        await podman.RunAsync("rmi", "--all", "--force");
    }

    [Fact]
    public async Task Deleting_an_image_is_refused_while_a_container_uses_it_and_then_removes_its_layers()
    {
        var layout = new OciLayout(_store.Path("layout"));
        layout.AddImage(BusyboxImages.Busybox(), "busybox");
        var storage = ContainerStorage.Open(Graph, Run);
        var image = await OciLayoutImporter.ImportAsync(storage, layout.Directory, "busybox", ["localhost/busybox:latest"], CancellationToken.None);
        var container = storage.CreateContainer(null, ["user"], image.Id);

        var refused = Assert.Throws<StoreConflictException>(() => storage.DeleteImage("localhost/busybox:latest"));
        Assert.Contains(container.Id, refused.Message, StringComparison.Ordinal);

        storage.DeleteContainer("user");
        var removed = storage.DeleteImage("localhost/busybox:latest");

        Assert.Equal(3, removed.Count);
        Assert.Empty(storage.Layers.List());
        Assert.Empty(storage.Images.List());
        Assert.DoesNotContain(Directory.GetDirectories(storage.Layers.Driver.Home), d => Path.GetFileName(d) is not ("l" or "crio-staging"));
    }

    [Fact]
    public async Task A_name_moves_to_the_newest_image_that_takes_it()
    {
        var storage = ContainerStorage.Open(Graph, Run);
        var layout = new OciLayout(_store.Path("layout"));
        layout.AddImage(BusyboxImages.Busybox(), "old");
        layout.AddImage(BusyboxImages.WithUser(), "new");
        var old = await OciLayoutImporter.ImportAsync(storage, layout.Directory, "old", ["localhost/app:latest"], CancellationToken.None);

        var newer = await OciLayoutImporter.ImportAsync(storage, layout.Directory, "new", ["localhost/app:latest"], CancellationToken.None);

        Assert.Equal(newer.Id, storage.Images.Get("localhost/app:latest").Id);
        Assert.Null(storage.Images.Get(old.Id).Names);
        Assert.Equal(["localhost/app:latest"], storage.Images.Get(old.Id).NamesHistory!);
        Assert.Equal(old.Id, storage.Images.Get(old.Id[..12]).Id);
    }

    public void Dispose() => _store.Dispose();

    private static List<string> LayerChain(ContainerStorage storage, string top)
    {
        var chain = new List<string>();
        for (var layer = storage.Layers.Get(top); ; layer = storage.Layers.Get(layer.Parent))
        {
            chain.Add(layer.Id);
            if (layer.Parent is null)
            {
                return chain;
            }
        }
    }

    /// <summary>The DiffIDs of the layers of the one image in an OCI layout skopeo wrote (blobs decompressed as needed).</summary>
    private static List<string> CopiedLayerDiffIds(string layout)
    {
        string Blob(string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(File.ReadAllText(Blob(manifestDigest)));
        var diffIds = new List<string>();
        foreach (var layer in manifest.RootElement.GetProperty("layers").EnumerateArray())
        {
            using var blob = File.OpenRead(Blob(layer.GetProperty("digest").GetString()!));
            using Stream tar = layer.GetProperty("mediaType").GetString()!.EndsWith("gzip", StringComparison.Ordinal) ? new GZipStream(blob, CompressionMode.Decompress) : blob;
            diffIds.Add("sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)));
        }

        return diffIds;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var (exitCode, _, errors) = await ChildProcess.RunAsync(program, arguments, timeout: TimeSpan.FromSeconds(120));
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', arguments)}: exit {exitCode}: {errors}");
    }
}
