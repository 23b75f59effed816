using CriO.Image.Reference;
using CriO.Image.Registries;
using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Server.Images;

/// <summary>
/// Finds the stored image a CRI request names: an image ID or unique ID prefix, a full
/// reference (by tag or digest), or a short name tried against each candidate registries.conf
/// gives it, as CRI-O looks images up.
/// </summary>
public sealed class ImageResolver(ContainerStorage storage, Func<RegistriesConfig> registries)
{
    public ImageRecord? Find(string name) => FindWithName(name).Image;

    /// <summary>The image, and which of its names the request matched (null when it named the ID).</summary>
    public (ImageRecord? Image, string? MatchedName) FindWithName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var id = name.StartsWith("sha256:", StringComparison.Ordinal) && StoreIds.IsValid(name[7..]) ? name[7..] : name;
        if (id.Length >= 3 && id.Length <= 64 && id.All(char.IsAsciiHexDigitLower)
            && storage.Images.Find(id) is { } byId && byId.Id.StartsWith(id, StringComparison.Ordinal))
        {
            return (byId, null);
        }

        foreach (var candidate in registries().ResolveShortName(name).Candidates)
        {
            var reference = candidate.Tag is null && candidate.Digest is null ? candidate.WithTag(ImageReference.DefaultTag) : candidate;
            if (storage.Images.Find(reference.ToString()) is { } byName)
            {
                return (byName, reference.ToString());
            }

            if (reference.Digest is { } digest && storage.Images.Find(digest) is { } byDigest
                && (byDigest.Names ?? []).Any(n => ImageViews.Repository(n) == reference.FullName))
            {
                return (byDigest, null);
            }
        }

        return (null, null);
    }
}
