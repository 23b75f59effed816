using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CriO.Image.Oci;
using CriO.Image.Pull;
using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Image.Import;

/// <summary>
/// Writes an image into the store exactly as containers/image's storage destination does, so
/// podman and skopeo see it as one of theirs: layers with containers/image's IDs (each tar
/// checked against the manifest digest and the config's DiffID), the image record with the
/// config digest as ID, and the big data items `sha256:CONFIG`, `manifest-DIGEST`, `manifest`
/// and `signature-HEX` (storage/FORMAT.md, section 3.2).
/// </summary>
/// <remarks>
/// All missing layers are staged first, concurrently and invisibly; only when every one is
/// there and verified are they committed, bottom first, and the image written. So a failed or
/// cancelled pull leaves nothing in the store. A layer another pull of this committer is
/// already bringing in is waited for, not fetched twice.
/// </remarks>
public sealed class ImageCommitter(ContainerStorage storage, ImageCommitOptions? options = null)
{
    // Manifests and configs are small JSON documents; refuse anything that is clearly not one.
    public const int MaxManifestBytes = 4 * 1024 * 1024;
    public const int MaxConfigBytes = 8 * 1024 * 1024;

    private readonly ImageCommitOptions _options = options ?? new ImageCommitOptions();

    // Layer ID -> completes when the pull that claimed the layer has committed it (or failed).
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Opens one layer blob (as the manifest describes it) for reading.</summary>
    public delegate Task<Stream> LayerOpener(OciDescriptor layer, CancellationToken cancellationToken);

    public ContainerStorage Storage => storage;

    /// <param name="indexBytes">The index the manifest was chosen from, if any: stored too, so its digest names the image.</param>
    public async Task<ImageRecord> CommitAsync(byte[] manifestBytes, byte[] configBytes, LayerOpener openLayer, IReadOnlyList<string> names, CancellationToken cancellationToken, byte[]? indexBytes = null)
    {
        ArgumentNullException.ThrowIfNull(manifestBytes);
        ArgumentNullException.ThrowIfNull(configBytes);
        ArgumentNullException.ThrowIfNull(openLayer);
        ArgumentNullException.ThrowIfNull(names);
        var manifestDigest = Digests.Sha256(manifestBytes);
        var manifest = Parse(manifestBytes, OciJsonContext.Default.OciManifest, "manifest");
        if (manifest.IsIndex || manifest.Config is null || manifest.Layers is null)
        {
            throw new InvalidDataException("manifest: not an image manifest (an index must be resolved to a platform first)");
        }

        Digests.Verify(manifest.Config.Digest, configBytes, "image config");
        var config = Parse(configBytes, OciJsonContext.Default.OciImageConfig, "image config");
        var diffIds = config.RootFs?.DiffIds ?? [];
        if (diffIds.Count != manifest.Layers.Count)
        {
            throw new InvalidDataException($"image config lists {diffIds.Count} layers, the manifest {manifest.Layers.Count}");
        }

        var ids = new string[diffIds.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = StoreIds.ForLayer(i == 0 ? null : ids[i - 1], diffIds[i]);
        }

        await BringInLayersAsync(manifest.Layers, diffIds, ids, openLayer, cancellationToken).ConfigureAwait(false);
        var top = ids.Length > 0 ? ids[^1] : null;
        var image = WriteImage(manifest, manifestBytes, manifestDigest, config, configBytes, top, names, indexBytes);

        // The layers were committed pending (owned by nobody until the image was written): owned now.
        storage.ClearPending(top);
        return image;
    }

    private async Task BringInLayersAsync(List<OciDescriptor> layers, List<string> diffIds, string[] ids, LayerOpener openLayer, CancellationToken cancellationToken)
    {
        var claimed = new Dictionary<int, TaskCompletionSource>();
        var waitFor = new Dictionary<int, Task>();
        for (var i = 0; i < ids.Length; i++)
        {
            if (storage.Layers.Find(ids[i]) is { IsIncomplete: false } present && present.Id == ids[i])
            {
                PullMetrics.LayerReused();
                continue;
            }

            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var owner = _inFlight.GetOrAdd(ids[i], mine.Task);
            if (owner == mine.Task)
            {
                claimed[i] = mine;
            }
            else
            {
                waitFor[i] = owner;
            }
        }

        var staged = new Dictionary<int, StagedLayer>();
        try
        {
            using var slots = new SemaphoreSlim(_options.LayerConcurrency);
            var staging = claimed.Keys.Select(async i =>
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var layer = await StageWithRetriesAsync(layers[i], diffIds[i], ids[i], openLayer, cancellationToken).ConfigureAwait(false);
                    lock (staged)
                    {
                        staged[i] = layer;
                    }
                }
                finally
                {
                    slots.Release();
                }
            }).ToList();
            await Task.WhenAll(staging).ConfigureAwait(false);

            // Bottom first: each commit needs its parent in the store.
            for (var i = 0; i < ids.Length; i++)
            {
                var options = new LayerCreateOptions { Id = ids[i], Pending = true };
                if (staged.TryGetValue(i, out var layer))
                {
                    storage.Layers.CommitStaged(layer, i == 0 ? null : ids[i - 1], options);
                    claimed[i].TrySetResult();
                }
                else if (waitFor.TryGetValue(i, out var other))
                {
                    try
                    {
                        await other.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        // The other pull failed: bring the layer in ourselves.
                        using var own = await StageWithRetriesAsync(layers[i], diffIds[i], ids[i], openLayer, cancellationToken).ConfigureAwait(false);
                        storage.Layers.CommitStaged(own, i == 0 ? null : ids[i - 1], options);
                    }
                }
            }
        }
        catch (Exception e)
        {
            foreach (var mine in claimed.Values)
            {
                mine.TrySetException(e);
            }

            throw;
        }
        finally
        {
            foreach (var layer in staged.Values)
            {
                layer.Dispose();
            }

            foreach (var (i, mine) in claimed)
            {
                _inFlight.TryRemove(new KeyValuePair<string, Task>(ids[i], mine.Task));
            }
        }
    }

    private async Task<StagedLayer> StageWithRetriesAsync(OciDescriptor layer, string diffId, string id, LayerOpener openLayer, CancellationToken cancellationToken)
    {
        using var activity = ImageActivitySource.Instance.StartActivity("layer pull");
        activity?.SetTag("layer.digest", layer.Digest);
        activity?.SetTag("layer.size", layer.Size);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                activity?.SetTag("layer.attempts", attempt);
                await using var blob = await openLayer(layer, cancellationToken).ConfigureAwait(false);
                return await storage.Layers.StageAsync(blob, new LayerCreateOptions
                {
                    Id = id,
                    ExpectedDiffId = diffId,
                    ExpectedCompressedDigest = layer.Digest,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < _options.LayerAttempts && !cancellationToken.IsCancellationRequested
                && e is IOException or HttpRequestException or TimeoutException or InvalidDataException or CriO.Storage.Archive.LayerFormatException)
            {
                // A broken, stalled or corrupted transfer: fetch the layer again, from the start.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private ImageRecord WriteImage(OciManifest manifest, byte[] manifestBytes, string manifestDigest, OciImageConfig config, byte[] configBytes, string? top, IReadOnlyList<string> names, byte[]? indexBytes)
    {
        var imageId = StoreIds.Hex(manifest.Config!.Digest);
        if (storage.Images.Find(imageId) is not { } image || image.Id != imageId)
        {
            var created = config.Created is { Length: > 0 } text ? GoTimestamp.Parse(text) : GoTimestamp.Zero;
            try
            {
                storage.CreateImage(imageId, top, [], created, manifestDigest, SignaturesMetadata(manifestDigest));
            }
            catch (StoreConflictException)
            {
                // A concurrent pull of the same image wrote it first: the same content. Checked
                // here, not in an exception filter: filters run before the throwing method's
                // `using` blocks release the images lock, so a lookup there waits on ourselves.
                if (storage.Images.Find(imageId)?.Id != imageId)
                {
                    throw;
                }
            }

            storage.Images.SetBigData(imageId, manifest.Config.Digest, configBytes);
            storage.Images.SetBigData(imageId, $"{ImageRecord.ManifestKeyPrefix}-{manifestDigest}", manifestBytes);
            storage.Images.SetBigData(imageId, ImageRecord.ManifestKeyPrefix, manifestBytes);
            storage.Images.SetBigData(imageId, $"signature-{StoreIds.Hex(manifestDigest)}", []);
        }
        else if (!(image.BigDataNames?.Contains($"{ImageRecord.ManifestKeyPrefix}-{manifestDigest}") ?? false))
        {
            // The same config reached through another manifest (another registry's copy): remember that digest too.
            storage.Images.SetBigData(imageId, $"{ImageRecord.ManifestKeyPrefix}-{manifestDigest}", manifestBytes);
        }

        // containers/image keeps the top-level list too, under its digest: pulls by the index digest then find the image.
        if (indexBytes is not null)
        {
            var indexKey = $"{ImageRecord.ManifestKeyPrefix}-{Digests.Sha256(indexBytes)}";
            if (!(storage.Images.Get(imageId).BigDataNames?.Contains(indexKey) ?? false))
            {
                storage.Images.SetBigData(imageId, indexKey, indexBytes);
            }
        }

        if (names.Count > 0)
        {
            storage.Images.AddNames(imageId, names);
        }

        return storage.Images.Get(imageId);
    }

    private static string SignaturesMetadata(string manifestDigest)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("signatures-sizes");
            json.WriteStartArray(manifestDigest);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static T Parse<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new InvalidDataException($"{what}: empty document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what}: not valid JSON: {e.Message}", e);
        }
    }
}
