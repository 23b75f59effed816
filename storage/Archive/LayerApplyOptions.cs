namespace CriO.Storage.Archive;

/// <summary>How <see cref="LayerApplier"/> applies a layer; the defaults suit a root daemon without user namespaces.</summary>
public sealed class LayerApplyOptions
{
    /// <summary>
    /// Added to every uid in the layer (a container's uid 0 becomes this host uid), for layers
    /// prepared for a user namespace. 0 keeps ids as they are.
    /// </summary>
    public uint UidOffset { get; init; }

    /// <summary>Added to every gid in the layer; see <see cref="UidOffset"/>.</summary>
    public uint GidOffset { get; init; }

    /// <summary>At most this many tar entries (headers other than PAX and GNU extension headers).</summary>
    public int MaxEntries { get; init; } = 1 << 20;

    /// <summary>
    /// At most this many bytes in one PAX extended header or GNU long name/link record, checked
    /// before reading it (Go's archive/tar has the same 1 MiB limit).
    /// </summary>
    public int MaxExtendedHeaderSize { get; init; } = 1 << 20;

    /// <summary>
    /// Flush the diff directory's file system (syncfs(2)) before returning, so that a layer
    /// reported as applied survives a power loss.
    /// </summary>
    public bool Sync { get; init; }
}
