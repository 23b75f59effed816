using System.Text.Json;
using CriO.Storage.Store;
using CriO.TestImages;

namespace CriO.Storage.Tests.Store;

/// <summary>The layer store's own promises: counting mounts, cleaning crashes, and failing without leftovers.</summary>
public sealed class LayerStoreTests : IDisposable
{
    private readonly TempStoreDirectory _store = new("crio-layers-");

    private ContainerStorage Open() => ContainerStorage.Open(_store.Path("graph"), _store.Path("run"));

    [Fact]
    public async Task Mounts_are_counted_and_only_the_last_unmount_unmounts()
    {
        var storage = Open();
        var layer = await CreateAsync(storage, BusyboxImages.Skeleton(), parent: null);
        var container = storage.Layers.CreateEmpty(null, layer.Id, []);

        var first = storage.Layers.Mount(container.Id, readOnly: false);
        var second = storage.Layers.Mount(container.Id, readOnly: false);

        Assert.Equal(first, second);
        Assert.Equal(2, storage.Layers.MountCount(container.Id));
        using (var mounts = JsonDocument.Parse(File.ReadAllText(_store.Path("run", "overlay-layers", "mountpoints.json"))))
        {
            Assert.Equal(2, mounts.RootElement[0].GetProperty("count").GetInt32());
            Assert.Equal(first, mounts.RootElement[0].GetProperty("path").GetString());
        }

        Assert.True(storage.Layers.Unmount(container.Id));
        Assert.Single(_store.Mounts());
        Assert.False(storage.Layers.Unmount(container.Id));
        Assert.Empty(_store.Mounts());
        Assert.Equal("[]", File.ReadAllText(_store.Path("run", "overlay-layers", "mountpoints.json")));
    }

    [Fact]
    public async Task Opening_the_store_removes_incomplete_layers_and_staging_of_dead_processes()
    {
        var storage = Open();
        var kept = await CreateAsync(storage, BusyboxImages.Skeleton(), parent: null);
        var crashed = storage.Layers.CreateEmpty(null, kept.Id, []);
        var layersJson = _store.Path("graph", "overlay-layers", "layers.json");
        File.WriteAllText(layersJson, File.ReadAllText(layersJson).Replace(
            $"\"id\":\"{crashed.Id}\"", $"\"id\":\"{crashed.Id}\",\"flags\":{{\"incomplete\":true}}", StringComparison.Ordinal));
        var deadStaging = _store.Path("graph", "overlay", "crio-staging", "999999999-0123456789abcdef");
        var liveStaging = _store.Path("graph", "overlay", "crio-staging", $"{Environment.ProcessId}-0123456789abcdef");
        Directory.CreateDirectory(deadStaging);
        Directory.CreateDirectory(liveStaging);

        var reopened = Open();

        Assert.Equal([crashed.Id], reopened.RemovedAtOpen);
        Assert.Null(reopened.Layers.Find(crashed.Id));
        Assert.False(Directory.Exists(_store.Path("graph", "overlay", crashed.Id)));
        Assert.NotNull(reopened.Layers.Find(kept.Id));
        Assert.False(Directory.Exists(deadStaging));
        Assert.True(Directory.Exists(liveStaging), "a running process's staging folder is left alone");
    }

    [Fact]
    public async Task A_layer_already_in_the_store_is_not_applied_again()
    {
        var storage = Open();
        var first = await CreateAsync(storage, BusyboxImages.Skeleton(), parent: null);
        var created = File.GetLastWriteTimeUtc(_store.Path("graph", "overlay-layers", first.Id + ".tar-split.gz"));

        var second = await CreateAsync(storage, BusyboxImages.Skeleton(), parent: null);

        Assert.Equal(first.Id, second.Id);
        Assert.Single(storage.Layers.List());
        Assert.Equal(created, File.GetLastWriteTimeUtc(_store.Path("graph", "overlay-layers", first.Id + ".tar-split.gz")));
    }

    [Fact]
    public async Task A_layer_with_the_wrong_DiffID_is_refused_and_leaves_nothing()
    {
        var storage = Open();
        var tar = BusyboxImages.Skeleton().ToTarGzip();

        await Assert.ThrowsAsync<InvalidDataException>(() => storage.Layers.CreateFromTarAsync(new MemoryStream(tar), null,
            new LayerCreateOptions { ExpectedDiffId = "sha256:" + new string('0', 64) }, CancellationToken.None));

        AssertEmptyStore(storage);
    }

    [Fact]
    public async Task A_truncated_layer_fails_and_leaves_nothing()
    {
        var storage = Open();
        var tar = BusyboxImages.Binaries().ToTarGzip();

        await Assert.ThrowsAnyAsync<Exception>(() => storage.Layers.CreateFromTarAsync(new MemoryStream(tar[..(tar.Length / 2)]), null, new LayerCreateOptions(), CancellationToken.None));

        AssertEmptyStore(storage);
    }

    [Fact]
    public async Task Opening_the_store_deletes_pending_layers_no_image_owns_and_keeps_those_one_does()
    {
        var storage = Open();
        var pending = new LayerCreateOptions { Pending = true };
        var orphanBase = await storage.Layers.CreateFromTarAsync(new MemoryStream(BusyboxImages.Skeleton().ToTarGzip()), null, pending, CancellationToken.None);
        var orphanTop = await storage.Layers.CreateFromTarAsync(new MemoryStream(BusyboxImages.Accounts().ToTarGzip()), orphanBase.Id, pending, CancellationToken.None);
        var ownedBase = await storage.Layers.CreateFromTarAsync(new MemoryStream(BusyboxImages.Accounts().ToTarGzip()), null, pending, CancellationToken.None);

        // A pull stopped after its image was written but before the flags were cleared.
        storage.CreateImage(new string('a', 64), ownedBase.Id, ["localhost/owned:1"], CriO.Storage.Metadata.GoTimestamp.Zero);

        var reopened = Open();

        Assert.Equal([orphanTop.Id, orphanBase.Id], reopened.RemovedAtOpen);
        Assert.Null(reopened.Layers.Find(orphanBase.Id));
        Assert.False(reopened.Layers.Find(ownedBase.Id)!.IsPending);
        Assert.Empty(Open().RemovedAtOpen);
    }

    public void Dispose() => _store.Dispose();

    private void AssertEmptyStore(ContainerStorage storage)
    {
        Assert.Empty(storage.Layers.List());
        Assert.Empty(Directory.GetFileSystemEntries(_store.Path("graph", "overlay", "crio-staging")));
        Assert.DoesNotContain(Directory.GetDirectories(_store.Path("graph", "overlay")), d => Path.GetFileName(d) is not ("l" or "crio-staging"));
        Assert.Empty(Directory.GetFiles(_store.Path("graph", "overlay-layers"), "*.tar-split.gz"));
    }

    private static async Task<CriO.Storage.Metadata.LayerRecord> CreateAsync(ContainerStorage storage, TestLayer layer, string? parent) =>
        await storage.Layers.CreateFromTarAsync(new MemoryStream(layer.ToTarGzip()), parent, new LayerCreateOptions { Id = parent is null ? StoreIds.ForLayer(null, TestLayer.Digest(layer.ToTar())) : null }, CancellationToken.None);
}
