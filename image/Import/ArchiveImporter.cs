using System.Security.Cryptography;
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
                var (archive, archiveRef) = transport == "oci-archive" ? SplitReference(rest) : (rest, null);
                var folder = Directory.CreateTempSubdirectory("crio-import-").FullName;
                try
                {
                    await ArchiveExtractor.ExtractAsync(archive, folder, cancellationToken).ConfigureAwait(false);
                    return transport == "oci-archive"
                        ? await OciLayoutImporter.ImportAsync(storage, folder, archiveRef, names, cancellationToken).ConfigureAwait(false)
                        : await ImportDockerArchiveAsync(storage, folder, names, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    Directory.Delete(folder, recursive: true);
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

    private static async Task<ImageRecord> ImportDockerArchiveAsync(ContainerStorage storage, string folder, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        using var manifestJson = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "manifest.json"), cancellationToken).ConfigureAwait(false));
        var entries = manifestJson.RootElement.EnumerateArray().ToList();
        if (entries.Count != 1)
        {
            throw new InvalidDataException($"docker archive holds {entries.Count} images; import needs exactly one");
        }

        var entry = entries[0];
        var configBytes = await File.ReadAllBytesAsync(Inside(folder, entry.GetProperty("Config").GetString()!), cancellationToken).ConfigureAwait(false);
        var layerFiles = entry.GetProperty("Layers").EnumerateArray().Select(l => Inside(folder, l.GetString()!)).ToList();

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
            foreach (var layer in layerFiles)
            {
                json.WriteStartObject();
                json.WriteString("mediaType", DockerLayerMediaType);
                json.WriteNumber("size", new FileInfo(layer).Length);
                await using var stream = File.OpenRead(layer);
                json.WriteString("digest", "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var tags = entry.TryGetProperty("RepoTags", out var repoTags) && repoTags.ValueKind == JsonValueKind.Array
            ? repoTags.EnumerateArray().Select(t => ImageReference.Parse(t.GetString()!).ToString()).ToList()
            : [];
        var manifestBytes = manifest.ToArray();
        var byDigest = layerFiles.ToDictionary(f => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))), f => f, StringComparer.Ordinal);
        return await new ImageCommitter(storage).CommitAsync(manifestBytes, configBytes,
            (layer, _) => Task.FromResult<Stream>(File.OpenRead(byDigest[layer.Digest])), names.Count > 0 ? names : tags, cancellationToken).ConfigureAwait(false);
    }

    private static string Inside(string folder, string name)
    {
        var root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, name));
        return path.StartsWith(root, StringComparison.Ordinal) ? path : throw new InvalidDataException($"docker archive names \"{name}\" outside itself");
    }
}
