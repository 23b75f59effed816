using CriO.Storage.Store;

namespace CriO.Server.Images;

/// <summary>
/// The image and container file systems' usage, measured at most once per <see cref="MaxAge"/>:
/// the kubelet asks for it every few seconds, and a walk of a large store is not free.
/// </summary>
public sealed class FilesystemUsageCache(ContainerStorage storage, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _measuring = new(1, 1);
    private Snapshot? _last;

    public sealed record Snapshot(DateTimeOffset Taken, long ImageBytes, long ImageInodes, long ContainerBytes, long ContainerInodes);

    public async Task<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (_last is { } fresh && time.GetUtcNow() - fresh.Taken < MaxAge)
        {
            return fresh;
        }

        await _measuring.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_last is { } measuredMeanwhile && time.GetUtcNow() - measuredMeanwhile.Taken < MaxAge)
            {
                return measuredMeanwhile;
            }

            _last = await Task.Run(Measure, cancellationToken).ConfigureAwait(false);
            return _last;
        }
        finally
        {
            _measuring.Release();
        }
    }

    // Containers' writable layers are the container file system; everything else in the graph root is the images'.
    private Snapshot Measure()
    {
        var (totalBytes, totalInodes) = DiskUsage.Measure(storage.Directories.GraphRoot);
        long containerBytes = 0;
        long containerInodes = 0;
        foreach (var container in storage.Containers.List())
        {
            var (bytes, inodes) = DiskUsage.Measure(storage.Layers.Driver.LayerDirectory(container.LayerId));
            containerBytes += bytes;
            containerInodes += inodes;
        }

        return new Snapshot(time.GetUtcNow(), Math.Max(0, totalBytes - containerBytes), Math.Max(0, totalInodes - containerInodes), containerBytes, containerInodes);
    }
}
