using System.Collections.Concurrent;
using System.Text.Json;
using CriO.Image.Import;
using CriO.Image.Oci;
using CriO.Image.Registries;
using CriO.Image.Registry;
using CriO.Storage.Metadata;

namespace CriO.Image.Pull;

/// <summary>
/// Pulls an image from the first source that has it (mirrors, then the primary): the manifest
/// (an index resolved to this node's platform), the config, then the layers streamed straight
/// from the registry into the store through <see cref="ImageCommitter"/>. Every digest is
/// checked before anything is committed; a failure leaves nothing behind.
/// </summary>
public sealed class ImagePuller(
    ImageCommitter committer,
    RegistryClientOptions? clientOptions = null,
    string certsRoot = "/etc/containers/certs.d",
    Action<PullProgress>? onProgress = null,
    TimeSpan? progressInterval = null)
{
    /// <summary>How often a running pull reports its progress (when a reporter is given).</summary>
    public static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(5);

    public ImageCommitter Committer => committer;

    public async Task<ImageRecord> PullAsync(IReadOnlyList<PullSource> sources, IReadOnlyList<string> names, RegistryCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var failures = new List<string>();
        var allNotFound = true;
        Exception? last = null;
        foreach (var source in sources)
        {
            try
            {
                return await PullFromAsync(source, names, credentials, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RegistryException or HttpRequestException or IOException or InvalidDataException or TimeoutException or CriO.Storage.Archive.LayerFormatException)
            {
                // The next source may have it: a mirror that is down or lacks the image is no reason to fail.
                failures.Add($"{source.Reference}: {e.Message}");
                allNotFound &= e is RegistryException { IsNotFound: true };
                last = e;
            }
        }

        throw new PullFailedException(
            sources.Count == 0 ? "no registry to pull from" : $"pulling {sources[^1].Reference} failed: {string.Join("; ", failures)}",
            sources.Count > 0 && allNotFound, last);
    }

    private async Task<ImageRecord> PullFromAsync(PullSource source, IReadOnlyList<string> names, RegistryCredentials credentials, CancellationToken cancellationToken)
    {
        var reference = source.Reference;
        var repository = reference.Path;
        using var client = new RegistryClient(new RegistryEndpoint(reference.Domain, source.Insecure, certsRoot), credentials, clientOptions);
        var manifest = await client.GetManifestAsync(repository, reference.Digest ?? reference.Tag ?? "latest", cancellationToken).ConfigureAwait(false);
        var parsed = JsonSerializer.Deserialize(manifest.Bytes, OciJsonContext.Default.OciManifest)
            ?? throw new InvalidDataException($"{reference}: empty manifest");
        byte[]? index = null;
        if (parsed.IsIndex)
        {
            index = manifest.Bytes;
            var chosen = PlatformMatcher.Choose(parsed.Manifests!)
                ?? throw new InvalidDataException($"{reference}: the index has no manifest for {PlatformMatcher.Describe()}");
            manifest = await client.GetManifestAsync(repository, chosen.Digest, cancellationToken).ConfigureAwait(false);
            parsed = JsonSerializer.Deserialize(manifest.Bytes, OciJsonContext.Default.OciManifest)!;
        }

        if (parsed.Config is null)
        {
            throw new InvalidDataException($"{reference}: manifest without a config");
        }

        var config = await client.GetBlobBytesAsync(repository, parsed.Config.Digest, ImageCommitter.MaxConfigBytes, cancellationToken).ConfigureAwait(false);
        PullMetrics.BlobPulled(parsed.Config.MediaType, config.Length);
        using var progress = onProgress is null ? null : new PullProgressTracker(reference.ToString(), progressInterval ?? DefaultProgressInterval, onProgress, TimeProvider.System);
        // Layers the store lacked and this pull downloaded (once each, however often retried).
        var downloaded = new ConcurrentDictionary<string, OciDescriptor>(StringComparer.Ordinal);
        var image = await committer.CommitAsync(manifest.Bytes, config, async (layer, ct) =>
        {
            var blob = await client.OpenBlobAsync(repository, layer.Digest, ct).ConfigureAwait(false);
            downloaded.TryAdd(layer.Digest, layer);
            return progress is null ? blob : progress.Track(layer.Digest, layer.Size, blob);
        }, names, cancellationToken, index).ConfigureAwait(false);
        progress?.Complete();
        foreach (var layer in downloaded.Values)
        {
            PullMetrics.LayerPulled(layer.MediaType, layer.Size);
        }

        return image;
    }
}
