using CriO.Storage.Archive;

namespace CriO.Storage.Store;

/// <summary>How to create a layer from a tar: its ID and names, and what its digests must be.</summary>
public sealed record LayerCreateOptions
{
    /// <summary>The layer ID; null computes the containers/image ID from the parent and the DiffID.</summary>
    public string? Id { get; init; }

    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>When set, the DiffID the image config lists: a layer whose tar hashes otherwise is refused.</summary>
    public string? ExpectedDiffId { get; init; }

    /// <summary>When set, the digest the manifest lists for the blob as sent.</summary>
    public string? ExpectedCompressedDigest { get; init; }

    public LayerApplyOptions Apply { get; init; } = new();

    /// <summary>Commit it flagged pending: an image that will own it is still to be written (<see cref="Metadata.LayerRecord.IsPending"/>).</summary>
    public bool Pending { get; init; }
}
