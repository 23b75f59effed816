using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Storage.Tests.Store;

/// <summary>
/// Regression: two pulls of one image raced, the loser's exception filter looked the image up,
/// and filters run before the thrower's using blocks release the images lock: the lookup waited
/// on the lock its own call still held, and the pull hung for ever.
/// </summary>
public sealed class ImageConflictTests : IDisposable
{
    private readonly TempStoreDirectory _store = new("crio-conflict-");

    [Fact]
    public async Task An_exception_filter_that_reads_the_store_after_a_conflicting_Create_does_not_wait_on_the_lock()
    {
        var storage = ContainerStorage.Open(_store.Path("graph"), _store.Path("run"));
        var id = StoreIds.Random();
        storage.CreateImage(id, null, ["localhost/raced:latest"], GoTimestamp.Zero);

        var lookup = Task.Run(() =>
        {
            try
            {
                storage.CreateImage(id, null, [], GoTimestamp.Zero);
                return false;
            }
            catch (StoreConflictException) when (storage.Images.Find(id)?.Id == id)
            {
                return true;
            }
        });

        Assert.Same(lookup, await Task.WhenAny(lookup, Task.Delay(TimeSpan.FromSeconds(20))));
        Assert.True(await lookup);
    }

    public void Dispose() => _store.Dispose();
}
