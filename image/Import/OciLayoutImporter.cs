using System.Text.Json;
using CriO.Image.Oci;
using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Image.Import;

/// <summary>
/// Imports an image from an OCI image layout folder (image-spec image-layout.md) into the
/// store: the manifest named by the ref-name annotation, an index resolved to this node's
/// platform, every blob checked against its digest. What an operator uses to preload a node
/// without a registry.
/// </summary>
public static class OciLayoutImporter
{
    /// <summary>Imports from an OCI layout folder on the node (oci:DIR).</summary>
    /// <param name="refName">The image's org.opencontainers.image.ref.name; null takes the layout's only image.</param>
    public static Task<ImageRecord> ImportAsync(ContainerStorage storage, string layout, string? refName, IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        ImportAsync(storage, new LayoutFolder(layout), layout, refName, names, cancellationToken);

    /// <param name="files">The layout's files: a folder, or an oci-archive read in place.</param>
    /// <param name="layout">The layout as the operator named it, for messages.</param>
    /// <param name="refName">The image's org.opencontainers.image.ref.name; null takes the layout's only image.</param>
    public static async Task<ImageRecord> ImportAsync(ContainerStorage storage, IImageFiles files, string layout, string? refName, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(files);
        var index = JsonSerializer.Deserialize(await files.ReadAllAsync("index.json", ImageCommitter.MaxManifestBytes, cancellationToken).ConfigureAwait(false), OciJsonContext.Default.OciManifest)
            ?? throw new InvalidDataException($"{layout}/index.json is empty");
        var named = (refName is null
                ? index.Manifests is { Count: 1 } only ? only[0] : null
                : index.Manifests?.FirstOrDefault(m => m.Annotations?.GetValueOrDefault(OciMediaTypes.RefNameAnnotation) == refName))
            ?? throw new StoreNotFoundException("image in OCI layout " + layout, refName ?? "(the only image: the layout has several, name one)");

        var manifestBytes = await ReadBlobAsync(files, named, ImageCommitter.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        var manifest = JsonSerializer.Deserialize(manifestBytes, OciJsonContext.Default.OciManifest)!;
        if (manifest.IsIndex)
        {
            var platform = PlatformMatcher.Choose(manifest.Manifests!) ?? throw new InvalidDataException($"{refName}: no manifest for {PlatformMatcher.Describe()}");
            manifestBytes = await ReadBlobAsync(files, platform, ImageCommitter.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
            manifest = JsonSerializer.Deserialize(manifestBytes, OciJsonContext.Default.OciManifest)!;
        }

        var configBytes = await ReadBlobAsync(files, manifest.Config ?? throw new InvalidDataException($"{refName}: manifest without config"), ImageCommitter.MaxConfigBytes, cancellationToken).ConfigureAwait(false);

        // Layers stream straight from the layout into the store, which checks their digests.
        return await new ImageCommitter(storage).CommitAsync(manifestBytes, configBytes,
            (layer, _) => Task.FromResult(files.OpenRead(BlobName(layer.Digest))), names, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBlobAsync(IImageFiles files, OciDescriptor descriptor, int maxBytes, CancellationToken cancellationToken)
    {
        var bytes = await files.ReadAllAsync(BlobName(descriptor.Digest), maxBytes, cancellationToken).ConfigureAwait(false);
        Digests.Verify(descriptor.Digest, bytes, $"blob {descriptor.Digest}");
        return bytes;
    }

    private static string BlobName(string digest) => $"blobs/sha256/{StoreIds.Hex(digest)}";
}
