namespace CriO.Image.Oci;

/// <summary>Manifest and index media types, OCI and Docker v2.2 (which the distribution spec serves alike).</summary>
public static class OciMediaTypes
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
}
