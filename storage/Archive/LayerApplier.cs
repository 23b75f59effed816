using System.IO.Compression;
using ZstdSharp;
using CriO.Storage.Metadata;

namespace CriO.Storage.Archive;

/// <summary>
/// Applies an image layer (a tar, plain, gzip or zstd) to an empty overlay diff directory as
/// containers/storage's layer store and overlay driver do, in one pass over the stream:
/// digests of the blob and of the uncompressed tar, the files with their owners, modes, times
/// and xattrs, overlay whiteouts, and the tar-split record that lets the exact tar be rebuilt
/// later by <see cref="TarSplitAssembler"/> or by Go's containers/storage.
/// </summary>
/// <remarks>
/// Layers are untrusted: nothing is created, changed or read outside
/// <c>diffDirectory</c> (see <see cref="DiffTree"/> for how paths are resolved). On any
/// failure the method throws (<see cref="LayerFormatException"/> for a bad layer,
/// <see cref="IOException"/> for the disk) and leaves the directory half written: the caller
/// removes it, as it removes an incomplete layer.
/// </remarks>
public static class LayerApplier
{
    private const int ReadBufferSize = 256 * 1024;
    private const int ReadAheadChunkSize = 1024 * 1024;

    /// <summary>
    /// Applies <paramref name="layer"/> to <paramref name="diffDirectory"/> (which must exist and
    /// be empty) and, when <paramref name="tarSplitOutput"/> is given, writes the layer's
    /// tar-split into it gzip-compressed: exactly the content of containers/storage's
    /// overlay-layers/ID.tar-split.gz. Neither stream is closed; the tar-split stream is not
    /// flushed to disk.
    /// </summary>
    /// <remarks>
    /// With a tar-split, a layer that writes one path twice (or whites out a path it wrote) is
    /// refused, since the first content could not be read back to rebuild the tar; tar-split and
    /// containers/storage refuse those too. Without one, the later entry wins.
    /// </remarks>
    public static async Task<LayerApplyResult> ApplyAsync(
        Stream layer, string diffDirectory, Stream? tarSplitOutput, LayerApplyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(diffDirectory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxEntries);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxExtendedHeaderSize, 512);

        using var compressed = new DigestingReadStream(layer);
        var magic = await compressed.PeekAsync(10, cancellationToken).ConfigureAwait(false);
        var compression = DetectCompression(magic.Span);
        Stream decompressor = compression switch
        {
            CompressionType.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true),
            CompressionType.Zstd => new DecompressionStream(compressed, bufferSize: 0, checkEndOfStream: true, leaveOpen: true),
            _ => new PassThroughStream(compressed),
        };

        await using (decompressor.ConfigureAwait(false))
        {
            using var uncompressed = new DigestingReadStream(decompressor);
            var readAhead = new ReadAheadStream(uncompressed, ReadAheadChunkSize, cancellationToken);
            await using var readAheadScope = readAhead.ConfigureAwait(false);
            using var reader = new TarEntryReader(readAhead, ReadBufferSize, options.MaxExtendedHeaderSize);
            using var writer = new DiffWriter(diffDirectory, options.UidOffset, options.GidOffset, replaceExisting: tarSplitOutput is null);
            var tarSplit = tarSplitOutput is null ? null : new TarSplitWriter(tarSplitOutput);
            try
            {
                var ids = new IdLog();
                var entries = await ApplyEntriesAsync(reader, writer, tarSplit, ids, options, cancellationToken).ConfigureAwait(false);
                writer.Complete(options.Sync);
                if (tarSplit is not null)
                {
                    await tarSplit.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }

                // The digests are read once the read-ahead task has finished with the streams.
                // The blob digest covers every byte received, including any the decompressor left.
                await readAhead.Completion.ConfigureAwait(false);
                await DrainAsync(compressed, cancellationToken).ConfigureAwait(false);
                return new LayerApplyResult
                {
                    CompressedDigest = compressed.Digest(),
                    CompressedSize = compressed.Count,
                    UncompressedDigest = uncompressed.Digest(),
                    UncompressedSize = uncompressed.Count,
                    Compression = compression,
                    Uids = ids.Uids(),
                    Gids = ids.Gids(),
                    EntryCount = entries,
                };
            }
            finally
            {
                if (tarSplit is not null)
                {
                    await tarSplit.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>containers/storage's archive.DetectCompression on the first bytes; bzip2 and xz are refused.</summary>
    internal static CompressionType DetectCompression(ReadOnlySpan<byte> start)
    {
        if (start.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B, 0x08]))
        {
            return CompressionType.Gzip;
        }

        if (start.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]))
        {
            return CompressionType.Zstd;
        }

        if (start.StartsWith("BZh"u8) || start.StartsWith((ReadOnlySpan<byte>)[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]))
        {
            throw new LayerFormatException("the layer is compressed with bzip2 or xz, which are not supported");
        }

        return CompressionType.Uncompressed;
    }

    private static async Task<int> ApplyEntriesAsync(
        TarEntryReader reader, DiffWriter writer, TarSplitWriter? tarSplit, IdLog ids, LayerApplyOptions options, CancellationToken cancellationToken)
    {
        var entry = new TarEntry();
        var count = 0;
        while (await reader.NextAsync(entry, cancellationToken).ConfigureAwait(false))
        {
            if (++count > options.MaxEntries)
            {
                throw new LayerFormatException($"the layer has more than {options.MaxEntries} entries");
            }

            tarSplit?.AddSegment(reader.Raw.Written);
            ids.Add(entry);
            var writing = writer.Begin(entry);
            if (!writing && entry.ContentLength > 0 && tarSplit is not null)
            {
                // Reassembly reads content back from the diff directory, where this entry
                // (a whiteout, a marker, the root) leaves no file: the tar could not be rebuilt.
                throw new LayerFormatException(
                    $"the entry carries {entry.ContentLength} bytes of content but is not a file in the layer, so tar-split could not reproduce it", entry.DisplayName);
            }

            var crc = new Crc64Iso();
            while (true)
            {
                var content = await reader.ReadContentAsync(cancellationToken).ConfigureAwait(false);
                if (content.IsEmpty)
                {
                    break;
                }

                if (writing)
                {
                    writer.WriteContent(content.Span);
                }

                if (tarSplit is not null)
                {
                    crc.Append(content.Span);
                }
            }

            if (writing)
            {
                writer.EndFile();
            }

            if (tarSplit is not null)
            {
                tarSplit.AddFile(entry, crc.Value);
                if (tarSplit.ShouldFlush)
                {
                    await tarSplit.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        // The last padding and the end-of-archive blocks, then whatever follows them (often
        // zeros up to a 10 KiB record): part of the DiffID, so part of the record.
        tarSplit?.AddSegment(reader.Raw.Written);
        while (true)
        {
            var rest = await reader.ReadRemainingAsync(cancellationToken).ConfigureAwait(false);
            if (rest.IsEmpty)
            {
                break;
            }

            tarSplit?.AddSegment(rest.Span);
            if (tarSplit is { ShouldFlush: true })
            {
                await tarSplit.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return count;
    }

    private static async Task DrainAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>The uids and gids of the layer's headers, as containers/storage's layer store logs them (whiteouts left out).</summary>
    private sealed class IdLog
    {
        private readonly HashSet<uint> _uids = [];
        private readonly HashSet<uint> _gids = [];

        public void Add(TarEntry entry)
        {
            var name = entry.Name.TrimEnd((byte)'/');
            if (name[(name.LastIndexOf((byte)'/') + 1)..].StartsWith(".wh."u8))
            {
                return;
            }

            _uids.Add(unchecked((uint)entry.Uid));
            _gids.Add(unchecked((uint)entry.Gid));
        }

        public IReadOnlyList<uint> Uids() => [.. _uids.Order()];

        public IReadOnlyList<uint> Gids() => [.. _gids.Order()];
    }
}
