using System.Formats.Tar;
using System.IO.Compression;

namespace CriO.Bench;

/// <summary>
/// A gzip layer of about <c>totalBytes</c> of many small files (1-8 KiB, random content, so
/// gzip cannot shrink it away) in nested folders: the shape that costs an applier per-file work.
/// Seeded, so every run and machine gets the same layer.
/// </summary>
internal static class SmallFilesLayer
{
    /// <summary>Writes the gzip layer to <paramref name="path"/>; returns its DiffID and the tar's size.</summary>
    public static (int Files, long TarBytes, string DiffId) Write(string path, long totalBytes)
    {
        var random = new Random(20240101);
        var files = 0;
        long written = 0;
        using var diffId = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var output = File.Create(path);
        using var gzip = new GZipStream(output, CompressionLevel.Fastest);
        using var counting = new CountingStream(gzip, diffId);
        using (var tar = new TarWriter(counting, TarEntryFormat.Pax, leaveOpen: true))
        {
            var buffer = new byte[8192];
            for (var d = 0; written < totalBytes; d++)
            {
                var directory = $"data/d{d / 100:D3}/d{d % 100:D2}";
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, directory) { Mode = (UnixFileMode)0b111_101_101 });
                for (var f = 0; f < 50 && written < totalBytes; f++)
                {
                    var size = random.Next(1024, 8192);
                    random.NextBytes(buffer.AsSpan(0, size));
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{directory}/f{f:D2}")
                    {
                        Mode = (UnixFileMode)0b110_100_100,
                        DataStream = new MemoryStream(buffer, 0, size, writable: false),
                    });
                    files++;
                    written += size;
                }
            }
        }

        counting.Flush();
        return (files, counting.BytesWritten, "sha256:" + Convert.ToHexStringLower(diffId.GetHashAndReset()));
    }

    private sealed class CountingStream(Stream inner, System.Security.Cryptography.IncrementalHash hash) : Stream
    {
        public long BytesWritten { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            hash.AppendData(buffer, offset, count);
            BytesWritten += count;
        }
    }
}
