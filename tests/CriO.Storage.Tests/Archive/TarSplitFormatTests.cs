using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using CriO.Storage.Archive;

namespace CriO.Storage.Tests.Archive;

/// <summary>
/// The tar-split file is the one Go's tar-split writes (tar/storage packer, tar/asm disassembler):
/// JSON lines, type 1 = file entry, type 2 = raw segment, positions from 0, one segment per
/// header (with any extension headers and the padding before it), CRC-64/ISO payloads.
/// </summary>
public class TarSplitFormatTests
{
    [Fact]
    public async Task Lines_are_exactly_what_tar_split_writes()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().Directory("dir/").File("dir/hello.txt", "hello\n").Build();
        var (_, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        var lines = Layers.TarSplitLines(split);

        var crc = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(crc, Crc64Iso.Compute("hello\n"u8));
        Assert.Equal(
            [
                $$"""{"type":2,"payload":"{{Convert.ToBase64String(layer, 0, 512)}}","position":0}""",
                """{"type":1,"name":"dir/","payload":null,"position":1}""",
                $$"""{"type":2,"payload":"{{Convert.ToBase64String(layer, 512, 512)}}","position":2}""",
                $$"""{"type":1,"name":"dir/hello.txt","size":6,"payload":"{{Convert.ToBase64String(crc)}}","position":3}""",
                $$"""{"type":2,"payload":"{{Convert.ToBase64String(layer, 1030, layer.Length - 1030)}}","position":4}""",
            ],
            lines);
    }

    [Fact]
    public async Task Extension_headers_share_one_segment_with_the_header_they_extend()
    {
        using var scratch = new ArchiveScratch();
        var longName = "long/" + new string('n', 150);
        var layer = new RawTar()
            .File("first", "abc")
            .Pax(("path", longName), ("mtime", "1700000000.5"))
            .File("short", "pax")
            .GnuLong('L', Encoding.ASCII.GetBytes(longName + "2"))
            .File("x", "gnu")
            .Pax([("comment", "global"u8.ToArray())], type: 'g', name: "pax_global_header")
            .Build();
        var (_, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        var entries = Layers.TarSplitLines(split).Select(l => JsonDocument.Parse(l).RootElement).ToArray();

        Assert.Equal([2, 1, 2, 1, 2, 1, 2, 1, 2], entries.Select(e => e.GetProperty("type").GetInt32()));
        Assert.Equal(Enumerable.Range(0, 9), entries.Select(e => e.GetProperty("position").GetInt32()));
        Assert.Equal(["first", longName, longName + "2", "pax_global_header"], entries.Where(e => e.GetProperty("type").GetInt32() == 1).Select(e => e.GetProperty("name").GetString()));

        // The PAX entry's segment: the padding of "first", the 'x' header and its data, the header of "short".
        var segment = entries[2].GetProperty("payload").GetBytesFromBase64();
        Assert.Equal(layer.AsSpan(512 + 3, 509 + 512 + 512 + 512).ToArray(), segment);
        Assert.Equal(512 * 3, entries[4].GetProperty("payload").GetBytesFromBase64().Length - 509); // padding, 'L' header + data, header
        Assert.False(entries[7].TryGetProperty("size", out _)); // the global header: no size, null payload
        Assert.Equal(JsonValueKind.Null, entries[7].GetProperty("payload").ValueKind);
        Assert.True(File.Exists(Path.Combine(scratch.Diff, longName)));
        Assert.Equal(layer, await Layers.RebuildAsync(split, scratch.Diff));
    }

    [Fact]
    public async Task Bytes_after_the_end_of_the_archive_are_kept()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("a", "x").Build(trailing: 9216).Concat("not zeros"u8.ToArray()).ToArray();
        var (result, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        Assert.Equal(Layers.Sha256(layer), result.UncompressedDigest);
        Assert.Equal(layer, await Layers.RebuildAsync(split, scratch.Diff));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Archives_ending_early_like_Go_accepts_them_still_round_trip(int endBlocks)
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("a", "x").Build(endBlocks);
        var (_, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        Assert.Equal(layer, await Layers.RebuildAsync(split, scratch.Diff));

        // Cut inside the last padding: Go's reader ends the archive there too.
        var cut = layer[..(512 + 100)];
        var diff = scratch.NewDiff("cut");
        var (result, cutSplit) = await Layers.ApplyAsync(cut, diff);
        Assert.Equal(Layers.Sha256(cut), result.UncompressedDigest);
        Assert.Equal(cut, await Layers.RebuildAsync(cutSplit, diff));
    }
}
