using System.Buffers;

namespace CriO.Storage.Archive;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over a pooled array whose filled array can be handed
/// off (<see cref="Detach"/>) to another task and returned to the pool there.
/// </summary>
internal sealed class PooledBufferWriter(int initialSize) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialSize);

    public int WrittenCount { get; private set; }

    public void Advance(int count) => WrittenCount += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(WrittenCount);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(WrittenCount);
    }

    /// <summary>The filled array and its length; the writer starts over on a fresh array. Return the array to the shared pool.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var filled = (_buffer, WrittenCount);
        _buffer = ArrayPool<byte>.Shared.Rent(_buffer.Length);
        WrittenCount = 0;
        return filled;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        WrittenCount = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = WrittenCount + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, WrittenCount).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }
}
