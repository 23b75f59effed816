namespace CriO.Image.Reference;

/// <summary>
/// Splits a reference string into name, tag and digest, then normalises it as docker and
/// containers/image do: a first segment is a registry only if it has '.' or ':' or is
/// "localhost"; otherwise the image is on docker.io, where a one-segment path lives under
/// "library/". The split is positional (the digest follows the first '@', the tag follows a
/// ':' after the last '/'), so a port can never be mistaken for a tag.
/// </summary>
internal static class ReferenceParser
{
    /// <summary>No real reference comes near this; anything longer is refused before scanning.</summary>
    public const int MaxInputLength = 4096;

    public const string DockerHubDomain = "docker.io";

    // Docker's historical name for the Hub, still written in old manifests and pod specs.
    private const string LegacyDockerHubDomain = "index.docker.io";

    private const string OfficialNamespace = "library/";

    public static RawReference ParseRaw(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Length == 0)
        {
            throw new ReferenceFormatException(input, "the reference is empty");
        }

        if (input.Length > MaxInputLength)
        {
            throw new ReferenceFormatException(input, $"the reference is {input.Length} characters long, at most {MaxInputLength} are accepted");
        }

        var text = input.AsSpan();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            throw new ReferenceFormatException(input, $"an image reference has no URL scheme; drop \"{text[..(scheme + 3)]}\"");
        }

        string? digest = null;
        var at = text.IndexOf('@');
        if (at >= 0)
        {
            var digestText = text[(at + 1)..];
            if (digestText.IsEmpty)
            {
                throw new ReferenceFormatException(input, "'@' is not followed by a digest");
            }

            Throw(input, ReferenceGrammar.DigestError(digestText));
            digest = digestText.ToString();
            text = text[..at];
        }

        // Only a ':' after the last '/' starts a tag; one before it belongs to the host's port.
        string? tag = null;
        var afterLastSlash = text.LastIndexOf('/') + 1;
        var tagColon = text[afterLastSlash..].IndexOf(':');
        if (tagColon >= 0)
        {
            var colon = afterLastSlash + tagColon;
            var tagText = text[(colon + 1)..];
            Throw(input, ReferenceGrammar.TagError(tagText));
            tag = tagText.ToString();
            text = text[..colon];
        }

        if (text.IsEmpty)
        {
            throw new ReferenceFormatException(input, "the repository name is empty");
        }

        var (domain, path) = SplitDomain(input, text);
        var nameLength = (domain is null ? 0 : domain.Length + 1) + path.Length;
        if (nameLength > ReferenceGrammar.MaxNameLength)
        {
            throw new ReferenceFormatException(input, $"repository name must not be more than {ReferenceGrammar.MaxNameLength} characters (it has {nameLength})");
        }

        return new RawReference(domain, path, tag, digest);
    }

    public static ImageReference Parse(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (ReferenceGrammar.IsImageId(input))
        {
            throw new ReferenceFormatException(input, "64 hexadecimal digits are an image ID, not a repository name");
        }

        var raw = ParseRaw(input);
        return Normalize(input, raw);
    }

    /// <summary>Applies docker's defaults: registry, "library/", and the "latest" tag.</summary>
    public static ImageReference Normalize(string input, RawReference raw)
    {
        string domain;
        string path;
        if (raw.HasRegistry)
        {
            domain = raw.Domain!;
            path = raw.Path;
        }
        else
        {
            domain = DockerHubDomain;
            path = raw.Name;
        }

        if (domain == LegacyDockerHubDomain)
        {
            domain = DockerHubDomain;
        }

        if (domain == DockerHubDomain && !path.Contains('/', StringComparison.Ordinal))
        {
            path = OfficialNamespace + path;
        }

        // A first segment taken as a host may hold what a path may not (upper case).
        Throw(input, ReferenceGrammar.PathError(path));
        var nameLength = domain.Length + 1 + path.Length;
        if (nameLength > ReferenceGrammar.MaxNameLength)
        {
            throw new ReferenceFormatException(input, $"repository name must not be more than {ReferenceGrammar.MaxNameLength} characters once normalised to {domain}/{path} (it has {nameLength})");
        }

        var tag = raw.Tag is null && raw.Digest is null ? ImageReference.DefaultTag : raw.Tag;
        return new ImageReference(domain, path, tag, raw.Digest, isShortName: !raw.HasRegistry);
    }

    /// <summary>A first segment names a registry only with '.', ':' (port or IPv6) or as "localhost".</summary>
    public static bool IsRegistryDomain(string segment) =>
        segment == "localhost" || segment.AsSpan().IndexOfAny('.', ':') >= 0;

    private static (string? Domain, string Path) SplitDomain(string input, ReadOnlySpan<char> name)
    {
        var slash = name.IndexOf('/');
        if (slash < 0)
        {
            Throw(input, ReferenceGrammar.PathError(name));
            return (null, name.ToString());
        }

        var first = name[..slash];
        var rest = name[(slash + 1)..];
        Throw(input, ReferenceGrammar.PathError(rest));

        var domainError = ReferenceGrammar.DomainError(first);
        if (domainError is null)
        {
            return (first.ToString(), rest.ToString());
        }

        // Something that looks like a host is reported as a bad host, not as a bad path.
        if (first.IndexOfAny('.', ':', '[') >= 0)
        {
            throw new ReferenceFormatException(input, $"invalid registry domain \"{first}\": {domainError}");
        }

        Throw(input, ReferenceGrammar.PathError(first));
        return (null, name.ToString());
    }

    private static void Throw(string input, string? reason)
    {
        if (reason is not null)
        {
            throw new ReferenceFormatException(input, reason);
        }
    }
}
