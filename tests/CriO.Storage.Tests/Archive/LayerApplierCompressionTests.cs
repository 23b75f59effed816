using System.Formats.Tar;
using CriO.Storage.Archive;
using CriO.Tests.Shared;
using CriO.Storage.Metadata;

namespace CriO.Storage.Tests.Archive;

/// <summary>Plain, gzip and zstd forms of one layer give one DiffID, and the blob digest of each form as sha256sum computes it.</summary>
public class LayerApplierCompressionTests
{
    [Fact]
    public async Task Gzip_and_zstd_layers_give_the_plain_tar_DiffID_and_their_own_blob_digest()
    {
        using var scratch = new ArchiveScratch();
        var tar = scratch.PathOf("layer.tar");
        await File.WriteAllBytesAsync(tar, BuildLayer());
        Assert.Equal(0, (await ChildProcess.RunAsync("gzip", ["-k", "-n", tar])).ExitCode);
        Assert.Equal(0, (await ChildProcess.RunAsync("zstd", ["-q", "-k", tar, "-o", tar + ".zst"])).ExitCode);
        var diffId = await Tree.Sha256Async(tar);

        foreach (var (file, compression) in new[] { (tar, CompressionType.Uncompressed), (tar + ".gz", CompressionType.Gzip), (tar + ".zst", CompressionType.Zstd) })
        {
            var diff = scratch.NewDiff("diff-" + compression);
            await using var input = File.OpenRead(file);
            using var split = new MemoryStream();
            var result = await LayerApplier.ApplyAsync(input, diff, split, new LayerApplyOptions(), CancellationToken.None);

            Assert.Equal(compression, result.Compression);
            Assert.Equal(diffId, result.UncompressedDigest);
            Assert.Equal(new FileInfo(tar).Length, result.UncompressedSize);
            Assert.Equal(await Tree.Sha256Async(file), result.CompressedDigest);
            Assert.Equal(new FileInfo(file).Length, result.CompressedSize);
            Assert.Equal(await File.ReadAllBytesAsync(tar), await Layers.RebuildAsync(split.ToArray(), diff));
        }
    }

    [Fact]
    public async Task A_truncated_zstd_layer_fails()
    {
        using var scratch = new ArchiveScratch();
        var tar = scratch.PathOf("layer.tar");
        await File.WriteAllBytesAsync(tar, BuildLayer());
        Assert.Equal(0, (await ChildProcess.RunAsync("zstd", ["-q", tar, "-o", tar + ".zst"])).ExitCode);
        var blob = await File.ReadAllBytesAsync(tar + ".zst");
        await Assert.ThrowsAnyAsync<Exception>(() => Layers.ApplyAsync(blob[..(blob.Length / 2)], scratch.Diff));
    }

    [Fact]
    public async Task An_empty_blob_is_an_empty_layer()
    {
        using var scratch = new ArchiveScratch();
        var (result, split) = await Layers.ApplyAsync([], scratch.Diff);
        Assert.Equal(Layers.Sha256([]), result.UncompressedDigest);
        Assert.Empty(Layers.TarSplitLines(split));
        Assert.Empty(await Layers.RebuildAsync(split, scratch.Diff));
    }

    [Fact]
    public async Task Xz_layers_are_refused_with_a_clear_error()
    {
        using var scratch = new ArchiveScratch();
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 1, 2], scratch.Diff));
        Assert.Contains("xz", error.Message, StringComparison.Ordinal);
    }

    private static byte[] BuildLayer()
    {
        var random = new Random(42);
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            var big = new byte[700_000];
            random.NextBytes(big);
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "big.bin") { DataStream = new MemoryStream(big) });
            for (var i = 0; i < 300; i++)
            {
                var small = new byte[random.Next(0, 3000)];
                random.NextBytes(small);
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"dir{i % 7}/file{i}") { DataStream = new MemoryStream(small) });
            }
        }

        return stream.ToArray();
    }
}
