namespace CriO.Registry.Fixture;

/// <summary>What a request to a registry asks for, as far as fault injection cares.</summary>
public enum RegistryRequestKind
{
    /// <summary><c>GET /v2/</c>: the version check clients start with.</summary>
    Ping,

    /// <summary><c>/v2/NAME/manifests/REFERENCE</c> (a tag or a digest).</summary>
    Manifest,

    /// <summary><c>/v2/NAME/blobs/DIGEST</c>, and the target of a blob redirect.</summary>
    Blob,
}
