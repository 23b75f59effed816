using CriO.Storage.Metadata;

namespace CriO.Storage.Archive;

/// <summary>
/// What applying a layer measured, in the form containers/storage records in layers.json
/// ("compressed-diff-digest", "compressed-size", "diff-digest", "diff-size", "compression",
/// "uidset", "gidset").
/// </summary>
public sealed record LayerApplyResult
{
    /// <summary>"sha256:..." of the bytes as received (the blob digest for a compressed layer).</summary>
    public required string CompressedDigest { get; init; }

    public required long CompressedSize { get; init; }

    /// <summary>"sha256:..." of the uncompressed tar: the DiffID.</summary>
    public required string UncompressedDigest { get; init; }

    public required long UncompressedSize { get; init; }

    public required CompressionType Compression { get; init; }

    /// <summary>The distinct uids of the tar headers (before any offset), ascending, whiteouts left out, as containers/storage lists them.</summary>
    public required IReadOnlyList<uint> Uids { get; init; }

    /// <summary>The distinct gids of the tar headers; see <see cref="Uids"/>.</summary>
    public required IReadOnlyList<uint> Gids { get; init; }

    /// <summary>How many tar entries the layer held.</summary>
    public required int EntryCount { get; init; }
}
