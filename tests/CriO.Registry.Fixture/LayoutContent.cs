using System.Text.Json;

namespace CriO.Registry.Fixture;

/// <summary>
/// Finds manifests and blobs in an OCI image layout: tags through the
/// <c>org.opencontainers.image.ref.name</c> annotations of index.json (read on every lookup,
/// so images added after start are served), digests as files under blobs/sha256.
/// </summary>
internal sealed class LayoutContent(string directory)
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const string DefaultManifestType = "application/vnd.oci.image.manifest.v1+json";

    public string Directory { get; } = directory;

    /// <summary>The file of a blob, or null when the digest is malformed or not in the layout.</summary>
    public string? BlobFile(string digest)
    {
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal)
            || digest.Length != 71
            || digest.AsSpan(7).ContainsAnyExcept("0123456789abcdef"))
        {
            return null;
        }

        var path = Path.Combine(Directory, "blobs", "sha256", digest[7..]);
        return File.Exists(path) ? path : null;
    }

    /// <summary>The digest, media type and file of the manifest a tag or digest names, or null.</summary>
    public (string Digest, string MediaType, string File)? Manifest(string reference)
    {
        if (reference.Contains(':', StringComparison.Ordinal))
        {
            return BlobFile(reference) is { } file ? (reference, MediaTypeOf(file), file) : null;
        }

        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "index.json")));
        foreach (var descriptor in index.RootElement.GetProperty("manifests").EnumerateArray())
        {
            if (descriptor.TryGetProperty("annotations", out var annotations)
                && annotations.TryGetProperty(RefNameAnnotation, out var name)
                && name.GetString() == reference)
            {
                var digest = descriptor.GetProperty("digest").GetString()!;
                var mediaType = descriptor.TryGetProperty("mediaType", out var type) ? type.GetString()! : DefaultManifestType;
                return BlobFile(digest) is { } file ? (digest, mediaType, file) : null;
            }
        }

        return null;
    }

    /// <summary>A manifest's own mediaType field (image manifests and indexes both carry one).</summary>
    private static string MediaTypeOf(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("mediaType", out var type)
                && type.GetString() is { } mediaType
                    ? mediaType
                    : DefaultManifestType;
        }
        catch (JsonException)
        {
            return DefaultManifestType;
        }
    }
}
