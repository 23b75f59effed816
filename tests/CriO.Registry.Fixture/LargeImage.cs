using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using CriO.TestImages;

namespace CriO.Registry.Fixture;

/// <summary>
/// The pull benchmark's image: about 100 MB of incompressible data (seeded random bytes, so
/// every run and machine gets the same digests) in 5 gzip layers of 1 MiB files. Layers are
/// streamed to disk while their digests are computed; nothing is held in memory.
/// </summary>
public static class LargeImage
{
    public const long DefaultTotalBytes = 100L * 1024 * 1024;
    public const int DefaultLayerCount = 5;
    public const int DefaultSeed = 20240101;

    private const int FileBytes = 1024 * 1024;

    /// <summary>Writes the layers, config and manifest into <paramref name="layout"/>, named <paramref name="refName"/>.</summary>
    public static OciDescriptor AddTo(OciLayout layout, string refName, long totalBytes = DefaultTotalBytes, int layerCount = DefaultLayerCount, int seed = DefaultSeed)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalBytes, layerCount);
        var layers = new List<(OciDescriptor Blob, string DiffId)>();
        for (var i = 0; i < layerCount; i++)
        {
            var bytes = totalBytes / layerCount + (i < totalBytes % layerCount ? 1 : 0);
            var file = Path.Combine(layout.Directory, $"large-layer-{i}.tmp");
            var (digest, diffId) = WriteLayer(file, $"data/layer{i}", bytes, seed + i);
            layers.Add((layout.AddBlobFile(file, digest, OciMediaTypes.LayerGzip), diffId));
        }

        var image = new TestImage
        {
            Layers = [],
            Cmd = ["/bin/sh"],
            Labels = new Dictionary<string, string> { ["org.crio.test.image"] = "large" },
        };
        return layout.AddImage(image, layers, refName);
    }

    /// <summary>One gzip layer of random 1 MiB files under <paramref name="directory"/>; returns its digest and DiffID.</summary>
    private static (string Digest, string DiffId) WriteLayer(string path, string directory, long bytes, int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[FileBytes];
        using var tarHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var gzipHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var output = File.Create(path))
        using (var hashedOutput = new HashingStream(output, gzipHash))
        using (var gzip = new GZipStream(hashedOutput, CompressionLevel.Fastest))
        using (var hashedTar = new HashingStream(gzip, tarHash))
        using (var tar = new TarWriter(hashedTar, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(Entry(TarEntryType.Directory, directory, (UnixFileMode)0b111_101_101));
            var index = 0;
            for (long left = bytes; left > 0; index++)
            {
                var size = (int)Math.Min(FileBytes, left);
                random.NextBytes(buffer.AsSpan(0, size));
                var entry = Entry(TarEntryType.RegularFile, $"{directory}/f{index.ToString("D4", CultureInfo.InvariantCulture)}", (UnixFileMode)0b110_100_100);
                entry.DataStream = new MemoryStream(buffer, 0, size, writable: false);
                tar.WriteEntry(entry);
                left -= size;
            }
        }

        return ("sha256:" + Convert.ToHexStringLower(gzipHash.GetHashAndReset()), "sha256:" + Convert.ToHexStringLower(tarHash.GetHashAndReset()));
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, UnixFileMode mode) =>
        new(type, name) { Mode = mode, ModificationTime = TestLayer.FixedTime };

    /// <summary>A write-only pass-through that hashes what goes by.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            hash.AppendData(buffer);
        }
    }
}
