using System.Diagnostics.CodeAnalysis;

namespace CriO.Image.Reference;

/// <summary>
/// A normalised Docker image reference: <c>domain/path[:tag][@digest]</c>, always with a
/// registry and with a tag or a digest (or both). "busybox" parses to
/// docker.io/library/busybox:latest, as docker, podman and CRI-O name it. Immutable; two
/// references are equal when their canonical strings are.
/// </summary>
public sealed class ImageReference : IEquatable<ImageReference>
{
    public const string DefaultTag = "latest";

    private readonly string _canonical;

    internal ImageReference(string domain, string path, string? tag, string? digest, bool isShortName)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
        IsShortName = isShortName;
        FullName = $"{domain}/{path}";
        _canonical = FullName + (tag is null ? "" : ":" + tag) + (digest is null ? "" : "@" + digest);
    }

    /// <summary>The registry host, with its port if any: "docker.io", "localhost:5000", "[::1]:5000".</summary>
    public string Domain { get; }

    /// <summary>The repository path inside the registry: "library/busybox".</summary>
    public string Path { get; }

    /// <summary>The tag, or null for a reference by digest only.</summary>
    public string? Tag { get; }

    /// <summary>"algorithm:hex", or null for a reference by tag only.</summary>
    public string? Digest { get; }

    /// <summary>
    /// True when the input named no registry and docker.io was assumed. registries.conf's
    /// short-name rules (aliases, unqualified-search registries) apply to such input.
    /// </summary>
    public bool IsShortName { get; }

    /// <summary>domain/path, without tag or digest: the repository.</summary>
    public string FullName { get; }

    /// <summary>Parses and normalises; throws <see cref="ReferenceFormatException"/> naming what is wrong.</summary>
    public static ImageReference Parse(string reference) => ReferenceParser.Parse(reference);

    public static bool TryParse([NotNullWhen(true)] string? reference, [NotNullWhen(true)] out ImageReference? result)
    {
        result = null;
        if (reference is null)
        {
            return false;
        }

        try
        {
            result = ReferenceParser.Parse(reference);
            return true;
        }
        catch (ReferenceFormatException)
        {
            return false;
        }
    }

    /// <summary>The same repository with <paramref name="tag"/>; a digest, if any, is kept.</summary>
    public ImageReference WithTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var reason = ReferenceGrammar.TagError(tag);
        return reason is null
            ? new ImageReference(Domain, Path, tag, Digest, IsShortName)
            : throw new ReferenceFormatException(tag, reason);
    }

    /// <summary>The same repository with <paramref name="digest"/>; a tag, if any, is kept.</summary>
    public ImageReference WithDigest(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var reason = ReferenceGrammar.DigestError(digest);
        return reason is null
            ? new ImageReference(Domain, Path, Tag, digest, IsShortName)
            : throw new ReferenceFormatException(digest, reason);
    }

    /// <summary>The canonical form: domain/path[:tag][@digest].</summary>
    public override string ToString() => _canonical;

    public bool Equals(ImageReference? other) => other is not null && string.Equals(_canonical, other._canonical, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_canonical);

    public static bool operator ==(ImageReference? left, ImageReference? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(ImageReference? left, ImageReference? right) => !(left == right);
}
