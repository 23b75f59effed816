using CriO.Storage.Store;

namespace CriO.Storage.Tests.Store;

/// <summary>A pod's own storage container has no image: containers/storage writes "image": "" and a parentless layer.</summary>
public sealed class ImagelessContainerTests : IDisposable
{
    private readonly TempStoreDirectory _store = new("crio-noimage-");

    [Fact]
    public void A_container_without_an_image_gets_an_empty_layer_and_its_folders_and_is_removed_whole()
    {
        var storage = ContainerStorage.Open(_store.Path("graph"), _store.Path("run"));

        var container = storage.CreateContainer(null, ["k8s_pod_ns_uid_0"], imageReference: null, metadata: "{}");

        Assert.Equal("", container.ImageId);
        Assert.Null(storage.Layers.List().Single(l => l.Id == container.LayerId).Parent);
        var (graph, run) = storage.Directories.ContainerUserData(container.Id);
        Assert.True(Directory.Exists(graph));
        Assert.True(Directory.Exists(run));
        Assert.Contains("\"image\":\"\"", File.ReadAllText(storage.Directories.ContainersJson), StringComparison.Ordinal);
        Assert.Empty(StoreChecker.Check(storage, repair: false));

        storage.DeleteContainer(container.Id);

        Assert.Empty(storage.Containers.List());
        Assert.Empty(storage.Layers.List());
        Assert.False(Directory.Exists(graph));
        Assert.False(Directory.Exists(run));
    }

    public void Dispose() => _store.Dispose();
}
