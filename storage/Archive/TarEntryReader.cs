using System.Buffers;
using System.Formats.Tar;
using System.Text;

namespace CriO.Storage.Archive;

/// <summary>
/// Reads a tar stream entry by entry with the semantics of tar-split's fork of Go's
/// archive/tar in "raw accounting" mode, because the tar-split file we write must be what
/// tar-split would write for the same stream:
/// <list type="bullet">
/// <item>everything between two entries' contents (the previous content's padding, PAX and GNU
/// extension headers with their data, the header block) is kept in <see cref="Raw"/>, one
/// segment per entry;</item>
/// <item>content bytes are not kept: the caller streams them from <see cref="ReadContentAsync"/>;</item>
/// <item>the archive ends at two zero blocks, at one zero block followed by the end of the
/// stream, at the end of the stream on a header boundary, or inside the padding after the last
/// content, as in Go; whatever follows the end stays unread for <see cref="ReadRemainingAsync"/>.</item>
/// </list>
/// System.Formats.Tar's TarReader is not used because it exposes neither the raw header bytes
/// nor a bound on extension header sizes before it allocates them, and its name rules differ
/// from Go's in corner cases that decide where a file lands on disk.
/// </summary>
internal sealed class TarEntryReader : IDisposable
{
    private const int BlockSize = TarHeaderParser.BlockSize;

    private readonly Stream _stream;
    private readonly int _maxExtendedHeaderSize;
    private readonly List<(int KeyStart, int KeyLength, int ValueStart, int ValueLength)> _paxRecords = [];
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _streamEnded;
    private long _remaining;
    private int _padding;
    private long _offset;
    private TarEntry? _current;
    private Dictionary<string, int>? _lastPaxIndex;

    public TarEntryReader(Stream stream, int bufferSize, int maxExtendedHeaderSize)
    {
        _stream = stream;
        _maxExtendedHeaderSize = maxExtendedHeaderSize;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);

        // Room for a PAX header, a GNU long name and a long link of the maximum size, each
        // with its header block, plus the entry's own header: anything more is hostile.
        Raw = new RawSegment((int)Math.Min(int.MaxValue - 1, (4L * maxExtendedHeaderSize) + (64 * 1024)));
    }

    /// <summary>The raw bytes read by the last <see cref="NextAsync"/>: one tar-split segment.</summary>
    public RawSegment Raw { get; }

    /// <summary>
    /// Moves to the next entry and fills <paramref name="entry"/>; false at the end of the
    /// archive, with <see cref="Raw"/> then holding the last padding and end-of-archive blocks.
    /// </summary>
    public async ValueTask<bool> NextAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        Raw.Reset();
        entry.Reset();
        _current = entry;
        var pax = (Start: -1, Length: 0);
        var longName = (Start: -1, Length: 0);
        var longLink = (Start: -1, Length: 0);
        while (true)
        {
            // Content the caller did not read is skipped, as Go's Next discards it.
            await SkipContentAsync(cancellationToken).ConfigureAwait(false);
            if (_padding > 0)
            {
                var padding = _padding;
                _padding = 0;
                if (await CopyToRawAsync(padding, cancellationToken).ConfigureAwait(false) < padding)
                {
                    return false;
                }
            }

            var headerStart = Raw.Length;
            var headerOffset = _offset;
            var read = await CopyToRawAsync(BlockSize, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            if (read < BlockSize)
            {
                throw new LayerFormatException($"the tar stream ends inside a header block at byte {headerOffset}");
            }

            if (TarHeaderParser.IsZeroBlock(Raw.Written.Slice(headerStart, BlockSize)))
            {
                read = await CopyToRawAsync(BlockSize, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                if (read < BlockSize)
                {
                    throw new LayerFormatException($"the tar stream ends inside a header block at byte {headerOffset + BlockSize}");
                }

                if (TarHeaderParser.IsZeroBlock(Raw.Written.Slice(headerStart + BlockSize, BlockSize)))
                {
                    return false;
                }

                throw new LayerFormatException($"a zero block followed by a non-zero block at byte {headerOffset}: not a valid tar");
            }

            TarHeaderParser.Parse(Raw.Written.Slice(headerStart, BlockSize), entry, headerOffset);
            switch (entry.Type)
            {
                case TarEntryType.ExtendedAttributes:
                case TarEntryType.GlobalExtendedAttributes:
                case TarEntryType.LongPath:
                case TarEntryType.LongLink:
                    var data = await ReadExtensionDataAsync(entry, headerOffset, cancellationToken).ConfigureAwait(false);
                    if (entry.Type == TarEntryType.GlobalExtendedAttributes)
                    {
                        BecomeGlobalHeader(entry, data);
                        return true;
                    }

                    if (entry.Type == TarEntryType.ExtendedAttributes)
                    {
                        // Go keeps only the last 'x' header before an entry.
                        ValidatePax(data);
                        pax = data;
                    }
                    else if (entry.Type == TarEntryType.LongPath)
                    {
                        longName = data;
                    }
                    else
                    {
                        longLink = data;
                    }

                    continue;

                default:
                    Complete(entry, pax, longName, longLink);
                    _remaining = entry.ContentLength;
                    _padding = Padding(entry.ContentLength);
                    return true;
            }
        }
    }

    /// <summary>
    /// The next piece of the current entry's content, empty once all of it was read; the
    /// memory is valid until the next call. A stream that ends early fails with the entry's name.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadContentAsync(CancellationToken cancellationToken)
    {
        if (_remaining == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
        {
            throw Truncated();
        }

        var n = (int)Math.Min(_end - _start, _remaining);
        var chunk = _buffer.AsMemory(_start, n);
        _start += n;
        _offset += n;
        _remaining -= n;
        return chunk;
    }

    /// <summary>What follows the end of the archive (usually zeros up to a record size), piece by piece; empty at the end of the stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadRemainingAsync(CancellationToken cancellationToken)
    {
        if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var chunk = _buffer.AsMemory(_start, _end - _start);
        _offset += _end - _start;
        _start = _end;
        return chunk;
    }

    public void Dispose()
    {
        Raw.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private static int Padding(long contentLength) => (int)((BlockSize - (contentLength % BlockSize)) % BlockSize);

    private static bool IsHeaderOnly(TarEntryType type) => type is TarEntryType.HardLink or TarEntryType.SymbolicLink
        or TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Directory or TarEntryType.Fifo;

    private async ValueTask<(int Start, int Length)> ReadExtensionDataAsync(TarEntry header, long headerOffset, CancellationToken cancellationToken)
    {
        if (header.Size < 0 || header.Size > _maxExtendedHeaderSize)
        {
            throw new LayerFormatException(
                $"the tar extension header ('{(char)header.Type}') at byte {headerOffset} declares {header.Size} bytes; at most {_maxExtendedHeaderSize} are allowed");
        }

        var length = (int)header.Size;
        var start = Raw.Length;
        if (await CopyToRawAsync(length, cancellationToken).ConfigureAwait(false) < length)
        {
            throw new LayerFormatException($"the tar stream ends inside the extension header at byte {headerOffset}");
        }

        _padding = Padding(length);
        return (start, length);
    }

    private void ValidatePax((int Start, int Length) data)
    {
        var reader = new PaxRecords.Reader(Raw.Written.Slice(data.Start, data.Length));
        while (reader.MoveNext())
        {
        }
    }

    /// <summary>
    /// Go returns a global PAX header ('g') as an entry of its own: its name (or its "path"
    /// record), no size, no ids. containers/storage ignores it; tar-split records it.
    /// </summary>
    private void BecomeGlobalHeader(TarEntry entry, (int Start, int Length) data)
    {
        var name = entry.Name.ToArray();
        var records = Raw.Written.Slice(data.Start, data.Length);
        var reader = new PaxRecords.Reader(records);
        var path = (Start: -1, Length: 0);
        while (reader.MoveNext())
        {
            if (records.Slice(reader.KeyStart, reader.KeyLength).SequenceEqual("path"u8))
            {
                path = (reader.ValueStart, reader.ValueLength);
            }
        }

        entry.Reset();
        entry.Type = TarEntryType.GlobalExtendedAttributes;
        entry.SetName(path.Start >= 0 && path.Length > 0 ? records.Slice(path.Start, path.Length) : name);
    }

    /// <summary>Go's mergePAX, then the GNU long names, then the legacy type and size rules.</summary>
    private void Complete(TarEntry entry, (int Start, int Length) pax, (int Start, int Length) longName, (int Start, int Length) longLink)
    {
        if (pax.Start >= 0)
        {
            MergePax(entry, pax);
        }

        if (longName.Start >= 0)
        {
            var name = TarHeaderParser.ParseString(Raw.Written.Slice(longName.Start, longName.Length));
            if (!name.IsEmpty)
            {
                entry.SetName(name);
            }
        }

        if (longLink.Start >= 0)
        {
            var link = TarHeaderParser.ParseString(Raw.Written.Slice(longLink.Start, longLink.Length));
            if (!link.IsEmpty)
            {
                entry.SetLinkName(link);
            }
        }

        if (entry.Type == TarEntryType.V7RegularFile)
        {
            // Legacy archives mark directories with a trailing slash only.
            entry.Type = entry.Name.EndsWith("/"u8) ? TarEntryType.Directory : TarEntryType.RegularFile;
        }

        if (entry.Name.Length > TarEntry.MaxNameBytes || entry.LinkName.Length > TarEntry.MaxNameBytes)
        {
            throw new LayerFormatException($"a name or link target is longer than {TarEntry.MaxNameBytes} bytes", entry.DisplayName[..Math.Min(200, entry.DisplayName.Length)] + "...");
        }

        if (entry.Type == TarEntryType.SparseFile)
        {
            throw new LayerFormatException("GNU sparse files are not supported in layers", entry.DisplayName);
        }

        var contentLength = IsHeaderOnly(entry.Type) ? 0 : entry.Size;
        if (contentLength < 0)
        {
            throw new LayerFormatException($"negative size {entry.Size}", entry.DisplayName);
        }

        entry.ContentLength = contentLength;
    }

    private void MergePax(TarEntry entry, (int Start, int Length) pax)
    {
        // Records are applied with Go's map semantics: the last record of a key wins, and an
        // empty value then means "keep the value from the header block".
        var data = Raw.Written;
        _paxRecords.Clear();
        var reader = new PaxRecords.Reader(data.Slice(pax.Start, pax.Length));
        while (reader.MoveNext())
        {
            _paxRecords.Add((pax.Start + reader.KeyStart, reader.KeyLength, pax.Start + reader.ValueStart, reader.ValueLength));
        }

        if (_paxRecords.Count > 32)
        {
            _lastPaxIndex ??= [];
            _lastPaxIndex.Clear();
            for (var i = 0; i < _paxRecords.Count; i++)
            {
                _lastPaxIndex[Encoding.Latin1.GetString(data.Slice(_paxRecords[i].KeyStart, _paxRecords[i].KeyLength))] = i;
            }
        }

        for (var i = 0; i < _paxRecords.Count; i++)
        {
            var (keyStart, keyLength, valueStart, valueLength) = _paxRecords[i];
            var key = data.Slice(keyStart, keyLength);
            if (valueLength == 0 || IsOverridden(data, i, key))
            {
                continue;
            }

            var value = data.Slice(valueStart, valueLength);
            var ok = true;
            if (key.SequenceEqual("path"u8))
            {
                entry.SetName(value);
            }
            else if (key.SequenceEqual("linkpath"u8))
            {
                entry.SetLinkName(value);
            }
            else if (key.SequenceEqual("uid"u8))
            {
                ok = PaxRecords.TryParseDecimal(value, out var uid);
                entry.Uid = uid;
            }
            else if (key.SequenceEqual("gid"u8))
            {
                ok = PaxRecords.TryParseDecimal(value, out var gid);
                entry.Gid = gid;
            }
            else if (key.SequenceEqual("mtime"u8))
            {
                ok = PaxRecords.TryParseTime(value, out var mtime);
                entry.ModificationTime = mtime;
            }
            else if (key.SequenceEqual("atime"u8))
            {
                ok = PaxRecords.TryParseTime(value, out var atime);
                entry.AccessTime = atime;
            }
            else if (key.SequenceEqual("ctime"u8))
            {
                ok = PaxRecords.TryParseTime(value, out _);
            }
            else if (key.SequenceEqual("size"u8))
            {
                ok = PaxRecords.TryParseDecimal(value, out var size);
                entry.Size = size;
            }
            else if (key.StartsWith("SCHILY.xattr."u8))
            {
                var prefix = PaxRecords.XattrPrefix.Length;
                entry.AddXattr(Raw, keyStart + prefix, keyLength - prefix, valueStart, valueLength);
            }
            else if (key.StartsWith("GNU.sparse."u8) && !key.SequenceEqual("GNU.sparse.name"u8) && !key.SequenceEqual("GNU.sparse.size"u8)
                && !key.SequenceEqual("GNU.sparse.realsize"u8))
            {
                throw new LayerFormatException("GNU sparse files are not supported in layers", entry.DisplayName);
            }

            if (!ok)
            {
                throw new LayerFormatException($"invalid PAX record '{Encoding.UTF8.GetString(key)}'", entry.DisplayName);
            }
        }
    }

    private bool IsOverridden(ReadOnlySpan<byte> data, int index, ReadOnlySpan<byte> key)
    {
        if (_paxRecords.Count > 32)
        {
            return _lastPaxIndex![Encoding.Latin1.GetString(key)] != index;
        }

        for (var j = index + 1; j < _paxRecords.Count; j++)
        {
            if (data.Slice(_paxRecords[j].KeyStart, _paxRecords[j].KeyLength).SequenceEqual(key))
            {
                return true;
            }
        }

        return false;
    }

    private async ValueTask SkipContentAsync(CancellationToken cancellationToken)
    {
        while (_remaining > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw Truncated();
            }

            var n = (int)Math.Min(_end - _start, _remaining);
            _start += n;
            _offset += n;
            _remaining -= n;
        }
    }

    /// <summary>Moves up to <paramref name="count"/> bytes into <see cref="Raw"/>; fewer only at the end of the stream.</summary>
    private async ValueTask<int> CopyToRawAsync(int count, CancellationToken cancellationToken)
    {
        _ = Raw.GetSpan(count); // enforces the bound before reading anything
        var copied = 0;
        while (copied < count)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            var n = Math.Min(count - copied, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(Raw.GetSpan(n));
            Raw.Advance(n);
            _start += n;
            _offset += n;
            copied += n;
        }

        return copied;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_streamEnded)
        {
            return false;
        }

        _start = 0;
        _end = 0;
        var n = await _stream.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            _streamEnded = true;
            return false;
        }

        _end = n;
        return true;
    }

    private LayerFormatException Truncated() =>
        new($"the tar stream ends {_remaining} bytes before the end of the entry's {_current?.ContentLength} bytes of content", _current?.DisplayName);
}
