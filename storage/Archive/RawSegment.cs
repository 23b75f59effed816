using System.Buffers;

namespace CriO.Storage.Archive;

/// <summary>
/// The raw bytes of the tar stream between two entries' contents (the previous content's
/// padding, extension headers and their data, the header block), as tar-split stores them in
/// one segment. A pooled buffer that grows up to a bound, so a hostile run of extension headers
/// cannot make it large.
/// </summary>
internal sealed class RawSegment : IDisposable
{
    private readonly int _maxLength;
    private byte[] _buffer;

    public RawSegment(int maxLength)
    {
        _maxLength = maxLength;
        _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    public void Reset() => Length = 0;

    /// <summary>Space for <paramref name="count"/> more bytes, to be committed with <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int count)
    {
        var needed = (long)Length + count;
        if (needed > _maxLength)
        {
            throw new LayerFormatException($"tar extension headers before one entry exceed {_maxLength} bytes");
        }

        if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(_maxLength, Math.Max(needed, 2L * _buffer.Length)));
            _buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(Length, count);
    }

    public void Advance(int count) => Length += count;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        Length = 0;
    }
}
