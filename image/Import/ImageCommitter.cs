using System.Text;
using System.Text.Json;
using CriO.Image.Oci;
using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Image.Import;

/// <summary>
/// Writes an image into the store exactly as containers/image's storage destination does, so
/// podman and skopeo see it as one of theirs: layers with containers/image's IDs (each tar
/// checked against the manifest digest and the config's DiffID), the image record with the
/// config digest as ID, and the big data items `sha256:CONFIG`, `manifest-DIGEST`, `manifest`
/// and `signature-HEX` (FORMAT.md, section 3.2).
/// </summary>
public static class ImageCommitter
{
    // Manifests and configs are small JSON documents; refuse anything that is clearly not one.
    public const int MaxManifestBytes = 4 * 1024 * 1024;
    public const int MaxConfigBytes = 8 * 1024 * 1024;

    /// <summary>Opens one layer blob (as the manifest describes it) for reading.</summary>
    public delegate Task<Stream> LayerOpener(OciDescriptor layer, CancellationToken cancellationToken);

    public static async Task<ImageRecord> CommitAsync(
        ContainerStorage storage, byte[] manifestBytes, byte[] configBytes, LayerOpener openLayer, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
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

        string? top = null;
        for (var i = 0; i < manifest.Layers.Count; i++)
        {
            var id = StoreIds.ForLayer(top, diffIds[i]);
            if (storage.Layers.Find(id) is { IsIncomplete: false })
            {
                top = id;
                continue;
            }

            await using var blob = await openLayer(manifest.Layers[i], cancellationToken).ConfigureAwait(false);
            var layer = await storage.Layers.CreateFromTarAsync(blob, top, new LayerCreateOptions
            {
                Id = id,
                ExpectedDiffId = diffIds[i],
                ExpectedCompressedDigest = manifest.Layers[i].Digest,
            }, cancellationToken).ConfigureAwait(false);
            top = layer.Id;
        }

        var imageId = StoreIds.Hex(manifest.Config.Digest);
        if (storage.Images.Find(imageId) is not { } image || image.Id != imageId)
        {
            var created = config.Created is { Length: > 0 } text ? GoTimestamp.Parse(text) : GoTimestamp.Zero;
            image = storage.CreateImage(imageId, top, [], created, manifestDigest, SignaturesMetadata(manifestDigest));
            storage.Images.SetBigData(imageId, manifest.Config.Digest, configBytes);
            storage.Images.SetBigData(imageId, $"{ImageRecord.ManifestKeyPrefix}-{manifestDigest}", manifestBytes);
            storage.Images.SetBigData(imageId, ImageRecord.ManifestKeyPrefix, manifestBytes);
            storage.Images.SetBigData(imageId, $"signature-{StoreIds.Hex(manifestDigest)}", []);
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
