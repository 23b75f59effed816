namespace CriO.Image.Import;

/// <summary>How an image's layers are brought in: how many at once, and how often a broken transfer is retried.</summary>
public sealed record ImageCommitOptions
{
    /// <summary>Layers fetched and applied at the same time (each into its own staging folder).</summary>
    public int LayerConcurrency { get; init; } = 3;

    /// <summary>Attempts per layer when its stream breaks, stalls or fails its digest (the first included).</summary>
    public int LayerAttempts { get; init; } = 3;
}
