using System.Text;
using System.Text.Json;
using CriO.Image.Oci;
using CriO.Image.Reference;
using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Image.Import;

/// <summary>
/// Imports an image without a registry, as an operator preloads an air-gapped node:
/// <c>oci:DIR[:REF]</c> (an OCI layout folder), <c>oci-archive:FILE[:REF]</c> (the same as a
/// tar) and <c>docker-archive:FILE</c> (what `docker save` writes). A docker archive has no
/// manifest of its own; one is made from its config and layer files, so the same checks apply.
/// </summary>
public static class ArchiveImporter
{
    private const string DockerManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";
    private const string DockerConfigMediaType = "application/vnd.docker.container.image.v1+json";
    private const string DockerLayerMediaType = "application/vnd.docker.image.rootfs.diff.tar";

    public static async Task<ImageRecord> ImportAsync(ContainerStorage storage, string source, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var colon = source.IndexOf(':', StringComparison.Ordinal);
        var transport = colon > 0 ? source[..colon] : "";
        var rest = colon > 0 ? source[(colon + 1)..] : source;
        switch (transport)
        {
            case "oci":
                var (layout, layoutRef) = SplitReference(rest);
                return await OciLayoutImporter.ImportAsync(storage, layout, layoutRef, names, cancellationToken).ConfigureAwait(false);
            case "oci-archive":
            case "docker-archive":
                var (archivePath, archiveRef) = transport == "oci-archive" ? SplitReference(rest) : (rest, null);
                using (var archive = await ImageArchive.OpenAsync(archivePath, cancellationToken).ConfigureAwait(false))
                {
                    return transport == "oci-archive"
                        ? await OciLayoutImporter.ImportAsync(storage, archive, archivePath, archiveRef, names, cancellationToken).ConfigureAwait(false)
                        : await ImportDockerArchiveAsync(storage, archive, names, cancellationToken).ConfigureAwait(false);
                }

            default:
                throw new ArgumentException($"\"{source}\": expected oci:DIR[:REF], oci-archive:FILE[:REF] or docker-archive:FILE");
        }
    }

    private static (string Path, string? Reference) SplitReference(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && !value[(colon + 1)..].Contains('/', StringComparison.Ordinal) ? (value[..colon], value[(colon + 1)..]) : (value, null);
    }

    private static async Task<ImageRecord> ImportDockerArchiveAsync(ContainerStorage storage, ImageArchive archive, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        using var manifestJson = JsonDocument.Parse(await archive.ReadAllAsync("manifest.json", ImageCommitter.MaxManifestBytes, cancellationToken).ConfigureAwait(false));
        var entries = manifestJson.RootElement.ValueKind == JsonValueKind.Array ? manifestJson.RootElement.EnumerateArray().ToList() : [];
        if (entries.Count != 1)
        {
            throw new InvalidDataException($"docker archive holds {entries.Count} images; import needs exactly one");
        }

        var entry = entries[0];
        var configBytes = await archive.ReadAllAsync(Text(entry, "Config"), ImageCommitter.MaxConfigBytes, cancellationToken).ConfigureAwait(false);
        var layerFiles = entry.TryGetProperty("Layers", out var layers) && layers.ValueKind == JsonValueKind.Array
            ? layers.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.String ? l.GetString()! : throw new InvalidDataException("docker archive's manifest.json names a layer that is not a string")).ToList()
            : throw new InvalidDataException("docker archive's manifest.json has no Layers");

        // docker save's layers are uncompressed tars, so each one's digest is its diff ID in the
        // config; the store checks that while it applies the layer, so each is read (and hashed) once.
        var config = JsonSerializer.Deserialize(configBytes, OciJsonContext.Default.OciImageConfig) ?? throw new InvalidDataException("docker archive's config is empty");
        var diffIds = config.RootFs?.DiffIds ?? [];
        if (diffIds.Count != layerFiles.Count)
        {
            throw new InvalidDataException($"docker archive names {layerFiles.Count} layers but its config has {diffIds.Count} diff IDs");
        }

        // The manifest docker save leaves out: config and layer files by their digests.
        using var manifest = new MemoryStream();
        using (var json = new Utf8JsonWriter(manifest))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", DockerManifestMediaType);
            json.WriteStartObject("config");
            json.WriteString("mediaType", DockerConfigMediaType);
            json.WriteNumber("size", configBytes.Length);
            json.WriteString("digest", Digests.Sha256(configBytes));
            json.WriteEndObject();
            json.WriteStartArray("layers");
            for (var i = 0; i < layerFiles.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("mediaType", DockerLayerMediaType);
                json.WriteNumber("size", archive.Length(layerFiles[i]));
                json.WriteString("digest", diffIds[i]);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var tags = entry.TryGetProperty("RepoTags", out var repoTags) && repoTags.ValueKind == JsonValueKind.Array
            ? repoTags.EnumerateArray().Select(t => ImageReference.Parse(t.GetString() ?? "").ToString()).ToList()
            : [];
        var byDigest = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < layerFiles.Count; i++)
        {
            byDigest.TryAdd(diffIds[i], layerFiles[i]);
        }

        return await new ImageCommitter(storage).CommitAsync(manifest.ToArray(), configBytes,
            (layer, _) => Task.FromResult(archive.OpenRead(byDigest[layer.Digest])), names.Count > 0 ? names : tags, cancellationToken).ConfigureAwait(false);
    }

    private static string Text(JsonElement entry, string property) =>
        entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"docker archive's manifest.json has no {property}");
}
