namespace CriO.Image.Registry;

/// <summary>A manifest as the registry served it, its media type, and its digest (verified).</summary>
public sealed record ManifestResponse(byte[] Bytes, string MediaType, string Digest);
