namespace CriO.Storage.Archive;

/// <summary>
/// How a layer blob was compressed, detected from its first bytes as containers/storage's
/// archive.DetectCompression does. The numbers are containers/storage's archive.Compression
/// values, which layers.json records as "compression".
/// </summary>
public enum LayerCompression
{
    None = 0,
    Gzip = 2,
    Zstd = 4,
}
