using System.IO.Compression;
using CriO.Storage.Archive;

namespace CriO.Storage.Tests.Archive;

/// <summary>Applies layers the way the store will: from a stream, with a tar-split written to a second stream.</summary>
internal static class Layers
{
    public static async Task<(LayerApplyResult Result, byte[] TarSplitGz)> ApplyAsync(byte[] layer, string diff, LayerApplyOptions? options = null, bool tarSplit = true)
    {
        using var input = new MemoryStream(layer, writable: false);
        using var split = new MemoryStream();
        var result = await LayerApplier.ApplyAsync(input, diff, tarSplit ? split : null, options ?? new LayerApplyOptions(), CancellationToken.None);
        return (result, split.ToArray());
    }

    public static async Task<byte[]> RebuildAsync(byte[] tarSplitGz, string diff)
    {
        using var input = new MemoryStream(tarSplitGz, writable: false);
        using var output = new MemoryStream();
        await TarSplitAssembler.WriteTarAsync(input, diff, output, CancellationToken.None);
        return output.ToArray();
    }

    /// <summary>The tar-split JSON lines, uncompressed.</summary>
    public static string[] TarSplitLines(byte[] tarSplitGz)
    {
        using var gzip = new GZipStream(new MemoryStream(tarSplitGz), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
}
