namespace CriO.Server.Http2;

/// <summary>
/// The HPACK dynamic table (RFC 7541 §2.3.2, §4): newest entry first, sized by
/// <see cref="HpackHeaderField.Size"/>, oldest entries evicted to stay within <see cref="MaxSize"/>.
/// </summary>
/// <remarks>
/// A ring buffer: entries are added at one end and evicted at the other, and both must be cheap
/// because a busy client adds one or more entries per request.
/// </remarks>
internal sealed class HpackDynamicTable
{
    private HpackHeaderField[] _ring;
    private int _newest = -1;

    public HpackDynamicTable(int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        MaxSize = maxSize;
        _ring = new HpackHeaderField[8];
    }

    public int Count { get; private set; }

    /// <summary>Sum of the entries' sizes, name + value + 32 each.</summary>
    public int Size { get; private set; }

    public int MaxSize { get; private set; }

    /// <summary>Entry <paramref name="index"/>, 0 being the newest (RFC index 62 + <paramref name="index"/>).</summary>
    public HpackHeaderField this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            int slot = _newest - index;
            return _ring[slot < 0 ? slot + _ring.Length : slot];
        }
    }

    /// <summary>
    /// Adds <paramref name="field"/> as the newest entry after evicting what it needs room for; a
    /// field larger than <see cref="MaxSize"/> just empties the table (RFC 7541 §4.4, not an error).
    /// </summary>
    public void Add(HpackHeaderField field)
    {
        int size = field.Size;
        if (size > MaxSize)
        {
            Clear();
            return;
        }

        EvictUntil(MaxSize - size);
        if (Count == _ring.Length)
        {
            Grow();
        }

        _newest = (_newest + 1) % _ring.Length;
        _ring[_newest] = field with { NeverIndexed = false };
        Count++;
        Size += size;
    }

    /// <summary>Applies a new maximum size, evicting the oldest entries that no longer fit (§4.3).</summary>
    public void SetMaxSize(int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        MaxSize = maxSize;
        EvictUntil(maxSize);
    }

    private void EvictUntil(int targetSize)
    {
        while (Size > targetSize)
        {
            int oldest = _newest - Count + 1;
            if (oldest < 0)
            {
                oldest += _ring.Length;
            }

            Size -= _ring[oldest].Size;
            _ring[oldest] = default;
            Count--;
        }
    }

    private void Clear()
    {
        Array.Clear(_ring);
        Count = 0;
        Size = 0;
        _newest = -1;
    }

    // Entries are at least 32 bytes, so the ring never needs more than MaxSize / 32 slots;
    // growing on demand keeps a quiet connection's table small.
    private void Grow()
    {
        var larger = new HpackHeaderField[_ring.Length * 2];
        for (int i = 0; i < Count; i++)
        {
            // Oldest first, so the newest lands at Count - 1.
            larger[i] = this[Count - 1 - i];
        }

        _ring = larger;
        _newest = Count - 1;
    }
}
