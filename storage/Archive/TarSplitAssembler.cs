using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using CriO.Storage.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Archive;

/// <summary>
/// Rebuilds a layer's original, uncompressed tar byte for byte from its tar-split metadata and
/// the files in its diff directory, as containers/storage's layer Diff does with tar-split's
/// asm.WriteOutputTarStream: segments are copied as they are; a file entry with a positive
/// size is replaced by the content of the file of that name in the diff directory, whose
/// CRC-64 must match the recorded one.
/// </summary>
public static class TarSplitAssembler
{
    /// <summary>
    /// Writes the tar that <paramref name="tarSplitGz"/> (the gzip-compressed tar-split, as
    /// <see cref="LayerApplier.ApplyAsync"/> wrote it) describes into <paramref name="output"/>,
    /// reading file contents from <paramref name="diffDirectory"/>. Files are looked up inside
    /// the directory as if it were "/" and must be regular files: a symlink, device or FIFO
    /// where content is expected is an error, never followed or opened. Throws
    /// <see cref="InvalidDataException"/> when the metadata is malformed or a file no longer
    /// matches it. Neither stream is closed.
    /// </summary>
    public static async Task WriteTarAsync(Stream tarSplitGz, string diffDirectory, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tarSplitGz);
        ArgumentNullException.ThrowIfNull(diffDirectory);
        ArgumentNullException.ThrowIfNull(output);
        using var root = FileTreeCalls.OpenDirectoryPath(diffDirectory);
        var gzip = new GZipStream(tarSplitGz, CompressionMode.Decompress, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            using var reader = new TarSplitReader(gzip);
            var buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
            var path = new byte[TarEntry.MaxNameBytes + 1];
            try
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (reader.Type == TarSplitReader.SegmentType)
                    {
                        await output.WriteAsync(reader.PayloadMemory, cancellationToken).ConfigureAwait(false);
                    }
                    else if (reader.Size != 0)
                    {
                        await CopyFileAsync(root, diffDirectory, reader, path, buffer, output, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static async Task CopyFileAsync(SafeFd root, string diffDirectory, TarSplitReader entry, byte[] path, byte[] buffer, Stream output, CancellationToken cancellationToken)
    {
        var name = Encoding.UTF8.GetString(entry.Name);
        if (entry.Size < 0 || entry.Payload.Length != 8)
        {
            throw new InvalidDataException($"tar-split entry '{name}': size {entry.Size} with a {entry.Payload.Length}-byte checksum");
        }

        var length = entry.Name.Length <= TarEntry.MaxNameBytes ? LayerPath.Normalize(entry.Name, path) : -1;
        if (length <= 0)
        {
            throw new InvalidDataException($"tar-split entry '{name}' does not name a file inside the layer");
        }

        var expected = BinaryPrimitives.ReadUInt64BigEndian(entry.Payload);
        using var file = OpenRegularFile(root, path.AsSpan(0, length), $"{diffDirectory}/{name}");
        var crc = new Crc64Iso();
        long total = 0;
        while (true)
        {
            var n = FileTreeCalls.Read(file, buffer, $"{diffDirectory}/{name}");
            if (n == 0)
            {
                break;
            }

            if (total + n > entry.Size)
            {
                throw new InvalidDataException($"'{name}' in {diffDirectory} is longer than the {entry.Size} bytes the layer recorded");
            }

            crc.Append(buffer.AsSpan(0, n));
            total += n;
            await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }

        if (total != entry.Size)
        {
            throw new InvalidDataException($"'{name}' in {diffDirectory} has {total} bytes; the layer recorded {entry.Size}");
        }

        if (crc.Value != expected)
        {
            throw new InvalidDataException($"file integrity checksum failed for '{name}' in {diffDirectory}");
        }
    }

    private static SafeFd OpenRegularFile(SafeFd root, ReadOnlySpan<byte> path, string displayPath)
    {
        var error = FileTreeCalls.TryOpenInRoot(root, path, O_PATH | O_NOFOLLOW, out var located);
        using (located)
        {
            if (error != 0)
            {
                throw FileTreeCalls.Error(error, "openat2", displayPath);
            }

            if (!FileTreeCalls.Stat(located, displayPath).IsRegularFile)
            {
                throw new InvalidDataException($"'{displayPath}' is not a regular file");
            }

            error = FileTreeCalls.TryReopen(located, O_RDONLY, out var file);
            if (error != 0)
            {
                file.Dispose();
                throw FileTreeCalls.Error(error, "open", displayPath);
            }

            return file;
        }
    }
}
