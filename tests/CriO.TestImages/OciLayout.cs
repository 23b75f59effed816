using System.Text;
using System.Text.Json;

namespace CriO.TestImages;

/// <summary>
/// Writes an OCI image layout directory (image-spec image-layout.md): `oci-layout`,
/// `blobs/sha256/...` and `index.json`, whose manifests carry the
/// `org.opencontainers.image.ref.name` annotation that `skopeo copy oci:DIR:NAME` looks up.
/// </summary>
public sealed class OciLayout
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private readonly List<(OciDescriptor Descriptor, string? RefName, string? Platform)> _index = [];

    public OciLayout(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        WriteIndex();
    }

    public string Directory { get; }

    /// <summary>Moves a blob file into the layout (for layers too large to hold in memory).</summary>
    public OciDescriptor AddBlobFile(string path, string digest, string mediaType)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var size = new FileInfo(path).Length;
        File.Move(path, Path.Combine(Directory, "blobs", "sha256", digest["sha256:".Length..]), overwrite: true);
        return new OciDescriptor(mediaType, digest, size);
    }

    public OciDescriptor AddBlob(byte[] content, string mediaType)
    {
        var digest = TestLayer.Digest(content);
        File.WriteAllBytes(Path.Combine(Directory, "blobs", "sha256", digest["sha256:".Length..]), content);
        return new OciDescriptor(mediaType, digest, content.Length);
    }

    /// <summary>Adds the image's layers (gzip), config and manifest; names it <paramref name="refName"/> when given.</summary>
    public OciDescriptor AddImage(TestImage image, string? refName)
    {
        ArgumentNullException.ThrowIfNull(image);
        var layers = image.Layers.Select(l => (AddBlob(l.ToTarGzip(), OciMediaTypes.LayerGzip), TestLayer.Digest(l.ToTar()))).ToList();
        return AddImage(image, layers, refName);
    }

    /// <summary>
    /// Adds an image whose layer blobs are already in the layout (large generated layers);
    /// <paramref name="image"/> gives the config, its own Layers are not used.
    /// </summary>
    public OciDescriptor AddImage(TestImage image, IReadOnlyList<(OciDescriptor Blob, string DiffId)> layers, string? refName)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(layers);
        var config = AddBlob(ConfigJson(image, layers.Select(l => l.DiffId)), OciMediaTypes.Config);
        var manifest = AddBlob(Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.Manifest);
            WriteDescriptor(w, "config", config);
            w.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                WriteDescriptor(w, null, layer.Blob);
            }

            w.WriteEndArray();
        }), OciMediaTypes.Manifest);
        if (refName is not null)
        {
            _index.Add((manifest, refName, null));
            WriteIndex();
        }

        return manifest;
    }

    /// <summary>Adds a multi-platform index over already added manifests, named <paramref name="refName"/>.</summary>
    public OciDescriptor AddIndex(IReadOnlyList<(OciDescriptor Manifest, TestImage Image)> platforms, string refName)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        var index = AddBlob(Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.Index);
            w.WriteStartArray("manifests");
            foreach (var (manifest, image) in platforms)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", manifest.MediaType);
                w.WriteString("digest", manifest.Digest);
                w.WriteNumber("size", manifest.Size);
                w.WriteStartObject("platform");
                w.WriteString("architecture", image.Architecture);
                w.WriteString("os", image.Os);
                if (image.Variant is not null)
                {
                    w.WriteString("variant", image.Variant);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }), OciMediaTypes.Index);
        _index.Add((index, refName, null));
        WriteIndex();
        return index;
    }

    private static byte[] ConfigJson(TestImage image, IEnumerable<string> diffIds) => Json(w =>
    {
        w.WriteString("created", TestLayer.FixedTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("architecture", image.Architecture);
        w.WriteString("os", image.Os);
        if (image.Variant is not null)
        {
            w.WriteString("variant", image.Variant);
        }

        w.WriteStartObject("config");
        if (image.User.Length > 0)
        {
            w.WriteString("User", image.User);
        }

        WriteStrings(w, "Env", image.Env);
        if (image.Entrypoint.Count > 0)
        {
            WriteStrings(w, "Entrypoint", image.Entrypoint);
        }

        WriteStrings(w, "Cmd", image.Cmd);
        if (image.WorkingDir.Length > 0)
        {
            w.WriteString("WorkingDir", image.WorkingDir);
        }

        if (image.StopSignal is not null)
        {
            w.WriteString("StopSignal", image.StopSignal);
        }

        if (image.Labels.Count > 0)
        {
            w.WriteStartObject("Labels");
            foreach (var (key, value) in image.Labels)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        if (image.Volumes.Count > 0)
        {
            w.WriteStartObject("Volumes");
            foreach (var volume in image.Volumes)
            {
                w.WriteStartObject(volume);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        WriteStrings(w, "diff_ids", diffIds.ToList());
        w.WriteEndObject();
    });

    private void WriteIndex() => File.WriteAllBytes(Path.Combine(Directory, "index.json"), Json(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", OciMediaTypes.Index);
        w.WriteStartArray("manifests");
        foreach (var (descriptor, refName, _) in _index)
        {
            w.WriteStartObject();
            w.WriteString("mediaType", descriptor.MediaType);
            w.WriteString("digest", descriptor.Digest);
            w.WriteNumber("size", descriptor.Size);
            if (refName is not null)
            {
                w.WriteStartObject("annotations");
                w.WriteString(RefNameAnnotation, refName);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }));

    private static void WriteDescriptor(Utf8JsonWriter w, string? property, OciDescriptor descriptor)
    {
        if (property is null)
        {
            w.WriteStartObject();
        }
        else
        {
            w.WriteStartObject(property);
        }

        w.WriteString("mediaType", descriptor.MediaType);
        w.WriteString("digest", descriptor.Digest);
        w.WriteNumber("size", descriptor.Size);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string property, IReadOnlyList<string> values)
    {
        w.WriteStartArray(property);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
