using CriO.Storage.IO;

namespace CriO.Storage.Archive;

/// <summary>
/// Reads another stream without owning it: the "decompressor" of an uncompressed layer, so
/// that every layer is read through the same chain and disposing the chain leaves the
/// caller's stream alone.
/// </summary>
internal sealed class PassThroughStream(Stream inner) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);
}
