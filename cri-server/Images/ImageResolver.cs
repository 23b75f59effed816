using CriO.Image.Reference;
using CriO.Image.Registries;
using CriO.Storage.Metadata;
using CriO.Storage.Store;

namespace CriO.Server.Images;

/// <summary>
/// Finds the stored image a CRI request names, in CRI-O's order (its
/// HeuristicallyTryResolvingStringAsIDPrefix, then its short-name candidates):
/// <list type="number">
/// <item>a full ID (64 hex digits as CRI-O reports it, or "sha256:ID" as containerd does) names
/// an image by ID, whether or not it is still stored: such a string is never a repository name,
/// so it never reaches the reference parser, which refuses it as one;</item>
/// <item>3 to 63 hex digits are an ID prefix when they are the unique prefix of a stored image;</item>
/// <item>anything else is a reference (by tag or digest), or a short name tried against each
/// candidate registries.conf gives it. Hex digits that are neither a stored prefix nor a
/// short name that resolves name nothing, as they do for CRI-O's ImageStatus.</item>
/// </list>
/// </summary>
public sealed class ImageResolver(ContainerStorage storage, Func<RegistriesConfig> registries)
{
    // CRI-O's minimumTruncatedIDLength: fewer digits than this are never taken as an ID prefix.
    private const int MinimumIdPrefixLength = 3;

    private const string IdDigestPrefix = "sha256:";

    public ImageRecord? Find(string name) => FindWithName(name).Image;

    /// <summary>
    /// The image (null when none), and which of its names the request matched: null when it
    /// named the image by ID (or by a digest), so the caller means the image, not one name.
    /// </summary>
    public (ImageRecord? Image, string? MatchedName) FindWithName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (FullId(name) is { } id)
        {
            return (storage.Images.Find(id) is { } byId && byId.Id == id ? byId : null, null);
        }

        var hex = name.Length >= MinimumIdPrefixLength && name.All(char.IsAsciiHexDigit);
        if (hex && storage.Images.Find(name) is { } byPrefix && byPrefix.Id.StartsWith(name, StringComparison.Ordinal))
        {
            return (byPrefix, null);
        }

        ShortNameResolution resolution;
        try
        {
            resolution = registries().ResolveShortName(name);
        }
        catch (Exception e) when (hex && e is ShortNameResolutionException or ReferenceFormatException)
        {
            // What looks like an ID prefix of an image that is gone is no error either.
            return (null, null);
        }

        foreach (var candidate in resolution.Candidates)
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

    private static string? FullId(string name)
    {
        var id = name.StartsWith(IdDigestPrefix, StringComparison.Ordinal) ? name[IdDigestPrefix.Length..] : name;
        return StoreIds.IsValid(id) ? id : null;
    }
}
