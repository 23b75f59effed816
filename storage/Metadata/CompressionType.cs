namespace CriO.Storage.Metadata;

/// <summary>
/// How the blob last applied to a layer was compressed (containers/storage's archive.Compression),
/// written as its number in layers.json's "compression" (omitted when 0).
/// </summary>
public enum CompressionType
{
    Uncompressed = 0,
    Bzip2 = 1,
    Gzip = 2,
    Xz = 3,
    Zstd = 4,
}
