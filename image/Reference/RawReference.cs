namespace CriO.Image.Reference;

/// <summary>
/// A reference exactly as written, before docker normalisation: <see cref="Domain"/> is the
/// first path segment whenever it parses as a host, even "foo" in "foo/bar" (normalisation
/// decides later that only a host with '.', ':' or "localhost" is a registry). Short-name
/// resolution and alias validation need this unnormalised view.
/// </summary>
internal readonly record struct RawReference(string? Domain, string Path, string? Tag, string? Digest)
{
    /// <summary>The name as written, without tag or digest: the key of a short-name alias.</summary>
    public string Name => Domain is null ? Path : $"{Domain}/{Path}";

    /// <summary>True when the first segment names a registry rather than a Docker Hub namespace.</summary>
    public bool HasRegistry => Domain is not null && ReferenceParser.IsRegistryDomain(Domain);
}
