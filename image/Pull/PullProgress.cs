namespace CriO.Image.Pull;

/// <summary>Where a pull stands: bytes received of each layer being fetched, and the overall rate so far.</summary>
public sealed record PullProgress(string Image, IReadOnlyList<LayerProgress> Layers, long BytesPerSecond, bool Done)
{
    public long Received => Layers.Sum(l => l.Received);

    public long Total => Layers.Sum(l => l.Size);
}

/// <summary>One layer of a pull: its digest, its size from the manifest, and the bytes received so far.</summary>
public sealed record LayerProgress(string Digest, long Size, long Received);
