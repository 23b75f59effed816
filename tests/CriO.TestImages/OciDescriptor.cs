namespace CriO.TestImages;

/// <summary>An OCI content descriptor: what a manifest or index says about a blob.</summary>
public sealed record OciDescriptor(string MediaType, string Digest, long Size);
