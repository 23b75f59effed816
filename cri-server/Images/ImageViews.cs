using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CriO.Cri;
using CriO.Image.Oci;
using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Server.Images;

/// <summary>
/// Turns store records into the CRI's Image: tags and digests as the kubelet expects them
/// (repo_digests = every repository the image is named in, with every manifest digest it was
/// stored under), size, the config's USER as uid or username, and pinned. What comes from an
/// image's config is cached per image ID: an image's content never changes.
/// </summary>
public sealed class ImageViews(ContainerStorage storage)
{
    private readonly ConcurrentDictionary<string, (OciImageConfig Config, string Json)> _configs = new(StringComparer.Ordinal);

    public CriO.Cri.Image ToCri(ImageRecord record, IReadOnlyList<string> pinnedPatterns)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(pinnedPatterns);
        var image = new CriO.Cri.Image
        {
            Id = record.Id,
            Size = (ulong)Size(record),
            Spec = new ImageSpec { Image = record.Id },
            Pinned = (record.Names ?? []).Any(name => pinnedPatterns.Any(pattern => Matches(pattern, name))),
        };
        var names = record.Names ?? [];
        image.RepoTags.AddRange(names.Where(n => !n.Contains('@', StringComparison.Ordinal)));
        var repositories = names.Select(Repository).Distinct(StringComparer.Ordinal).ToList();
        foreach (var digest in record.ComputeDigests())
        {
            image.RepoDigests.AddRange(repositories.Select(r => $"{r}@{digest}"));
        }

        image.RepoDigests.AddRange(names.Where(n => n.Contains('@', StringComparison.Ordinal) && !image.RepoDigests.Contains(n)));
        var user = Config(record)?.Config.Config?.User ?? "";

        // "uid[:gid]" is a uid; anything else names a user in the image's /etc/passwd.
        var userPart = user.Split(':')[0];
        if (userPart.Length > 0 && long.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            image.Uid = new Int64Value { Value = uid };
        }
        else
        {
            image.Username = userPart;
        }

        return image;
    }

    /// <summary>The image's config JSON, for ImageStatus's verbose info.</summary>
    public string? ConfigJson(ImageRecord record) => Config(record)?.Json;

    /// <summary>The image's config (entrypoint, env, user, ...), cached; null when it cannot be read.</summary>
    public OciImageConfig? ImageConfig(ImageRecord record) => Config(record)?.Config;

    /// <summary>An exact name, or a trailing-* glob (CRI-O's pinned_images forms).</summary>
    public static bool Matches(string pattern, string name) =>
        pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == name;

    /// <summary>"registry/repo:tag" or "registry/repo@digest" → "registry/repo".</summary>
    public static string Repository(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return name[..at];
        }

        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }

    private long Size(ImageRecord record)
    {
        long size = 0;
        var layers = storage.Layers.List();
        for (var id = record.TopLayer; id is not null;)
        {
            var layer = layers.FirstOrDefault(l => l.Id == id);
            if (layer is null)
            {
                break;
            }

            size += Math.Max(0, layer.UncompressedSize);
            id = layer.Parent;
        }

        return size;
    }

    private (OciImageConfig Config, string Json)? Config(ImageRecord record)
    {
        if (_configs.TryGetValue(record.Id, out var cached))
        {
            return cached;
        }

        try
        {
            var bytes = storage.Images.GetBigData(record.Id, "sha256:" + record.Id);
            var config = JsonSerializer.Deserialize(bytes, OciJsonContext.Default.OciImageConfig);
            if (config is null)
            {
                return null;
            }

            return _configs[record.Id] = (config, System.Text.Encoding.UTF8.GetString(bytes));
        }
        catch (Exception e) when (e is StoreNotFoundException or JsonException or IOException)
        {
            // An image without a readable config still lists; it just has no user.
            return null;
        }
    }
}
