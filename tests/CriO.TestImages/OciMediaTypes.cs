namespace CriO.TestImages;

/// <summary>The OCI image-spec media types the test images use.</summary>
public static class OciMediaTypes
{
    public const string Index = "application/vnd.oci.image.index.v1+json";
    public const string Manifest = "application/vnd.oci.image.manifest.v1+json";
    public const string Config = "application/vnd.oci.image.config.v1+json";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerTar = "application/vnd.oci.image.layer.v1.tar";
}
