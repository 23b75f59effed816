using CriO.Image.Import;
using CriO.Storage.Store;
using CriO.TestImages;

namespace CriO.Storage.Tests.Store;

public sealed class StoreCheckerTests : IDisposable
{
    private readonly TempStoreDirectory _store = new("crio-check-");

    [Fact]
    public async Task A_fresh_store_with_an_image_and_a_container_is_consistent()
    {
        var storage = await StoreWithImageAsync();
        storage.CreateContainer(null, ["c"], "localhost/busybox:latest");

        Assert.Empty(StoreChecker.Check(storage, repair: false));
    }

    [Fact]
    public async Task A_layer_whose_files_are_gone_takes_down_what_builds_on_it_and_repair_removes_them()
    {
        var storage = await StoreWithImageAsync();
        var image = storage.Images.Get("localhost/busybox:latest");
        var container = storage.CreateContainer(null, ["c"], image.Id);
        var bottom = storage.Layers.List().Single(l => l.Parent is null);
        Directory.Delete(storage.Layers.Driver.LayerDirectory(bottom.Id), recursive: true);

        var problems = StoreChecker.Check(storage, repair: false);

        Assert.Contains(problems, p => p.Kind == "layer" && p.Id == bottom.Id && p.Description.Contains("no diff folder", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Kind == "image" && p.Id == image.Id);
        Assert.Contains(problems, p => p.Kind == "container" && p.Id == container.Id);

        Assert.All(StoreChecker.Check(storage, repair: true), p => Assert.True(p.Repaired));
        Assert.Empty(StoreChecker.Check(storage, repair: false));
        Assert.Empty(storage.Images.List());
        Assert.Empty(storage.Containers.List());
        Assert.Empty(storage.Layers.List());
    }

    [Fact]
    public async Task Lost_short_links_are_rebuilt_and_the_layer_mounts_again()
    {
        var storage = await StoreWithImageAsync();
        foreach (var link in Directory.GetFileSystemEntries(_store.Path("graph", "overlay", "l")))
        {
            File.Delete(link);
        }

        Assert.Equal(3, StoreChecker.Check(storage, repair: true).Count);

        Assert.Empty(StoreChecker.Check(storage, repair: false));
        var container = storage.CreateContainer(null, [], "localhost/busybox:latest");
        var root = storage.MountContainer(container.Id);
        Assert.True(File.Exists(Path.Combine(root, "bin", "busybox")));
        storage.UnmountContainer(container.Id);
    }

    [Fact]
    public async Task Incomplete_layers_and_stray_folders_are_found_and_removed()
    {
        var storage = await StoreWithImageAsync();
        var stray = _store.Path("graph", "overlay", new string('b', 64));
        Directory.CreateDirectory(Path.Combine(stray, "diff"));
        var half = storage.Layers.CreateEmpty(null, null, ["half"]);
        var layersJson = _store.Path("graph", "overlay-layers", "layers.json");
        File.WriteAllText(layersJson, File.ReadAllText(layersJson).Replace(
            $"\"id\":\"{half.Id}\"", $"\"id\":\"{half.Id}\",\"flags\":{{\"incomplete\":true}}", StringComparison.Ordinal));

        var problems = StoreChecker.Check(storage, repair: true);

        Assert.Contains(problems, p => p.Id == half.Id && p.Description.Contains("incomplete", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Kind == "folder" && p.Id == new string('b', 64));
        Assert.False(Directory.Exists(stray));
        Assert.Null(storage.Layers.Find(half.Id));
        Assert.Empty(StoreChecker.Check(storage, repair: false));
    }

    public void Dispose() => _store.Dispose();

    private async Task<ContainerStorage> StoreWithImageAsync()
    {
        var layout = new OciLayout(_store.Path("layout"));
        layout.AddImage(BusyboxImages.Busybox(), "busybox");
        var storage = ContainerStorage.Open(_store.Path("graph"), _store.Path("run"));
        await OciLayoutImporter.ImportAsync(storage, layout.Directory, "busybox", ["localhost/busybox:latest"], CancellationToken.None);
        return storage;
    }
}
