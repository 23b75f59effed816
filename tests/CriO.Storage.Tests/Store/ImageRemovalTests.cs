using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Storage.Tests.Store;

/// <summary>UntagImage and DeleteImage: a name at a time while others remain, the image whole otherwise.</summary>
public sealed class ImageRemovalTests : IDisposable
{
    private readonly TempStoreDirectory _store = new("crio-rmi-");
    private readonly ContainerStorage _storage;

    public ImageRemovalTests()
    {
        _storage = ContainerStorage.Open(_store.Path("graph"), _store.Path("run"));
    }

    [Fact]
    public void Untag_takes_one_name_while_others_remain_and_the_image_with_its_layer_at_the_last()
    {
        var layer = _storage.Layers.CreateEmpty(null, null, []);
        var id = StoreIds.Random();
        _storage.CreateImage(id, layer.Id, ["localhost/a:1", "localhost/a:2"], GoTimestamp.Zero);

        Assert.True(_storage.UntagImage("localhost/a:1"));
        Assert.Equal(["localhost/a:2"], _storage.Images.Get(id).Names);
        Assert.NotNull(_storage.Layers.Find(layer.Id));

        Assert.True(_storage.UntagImage("localhost/a:2"));
        Assert.Null(_storage.Images.Find(id));
        Assert.Null(_storage.Layers.Find(layer.Id));
        Assert.False(_storage.UntagImage("localhost/a:2"));
    }

    [Fact]
    public void Untag_of_the_last_name_is_refused_while_a_container_uses_the_image()
    {
        var id = StoreIds.Random();
        _storage.CreateImage(id, _storage.Layers.CreateEmpty(null, null, []).Id, ["localhost/used:1"], GoTimestamp.Zero);
        _storage.CreateContainer(null, ["user"], id);

        Assert.Throws<StoreConflictException>(() => _storage.UntagImage("localhost/used:1"));
        Assert.Equal(["localhost/used:1"], _storage.Images.Get(id).Names);
    }

    /// <summary>
    /// Regression: whether a name was the last was decided before the lock, so two removals by
    /// an image's two names could each see the other name and leave an image with no name.
    /// </summary>
    [Fact]
    public async Task Concurrent_untags_of_every_name_leave_no_image()
    {
        for (var round = 0; round < 5; round++)
        {
            var id = StoreIds.Random();
            string[] names = [$"localhost/r{round}:1", $"localhost/r{round}:2", $"localhost/r{round}:3"];
            _storage.CreateImage(id, null, names, GoTimestamp.Zero);

            await Task.WhenAll(names.Concat(names).Select(name => Task.Run(() => _storage.UntagImage(name))));

            Assert.Null(_storage.Images.Find(id));
        }
    }

    [Fact]
    public void Delete_takes_every_name_and_an_absent_image_is_not_found()
    {
        var id = StoreIds.Random();
        _storage.CreateImage(id, null, ["one.example/a:1", "two.example/b:1"], GoTimestamp.Zero);

        _storage.DeleteImage(id);

        Assert.Empty(_storage.Images.List());
        Assert.Equal("image", Assert.Throws<StoreNotFoundException>(() => _storage.DeleteImage(id)).Kind);
    }

    public void Dispose() => _store.Dispose();
}
