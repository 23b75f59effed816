using System.Formats.Tar;
using System.Text;
using CriO.Storage.Archive;
using CriO.Tests.Shared;

namespace CriO.Storage.Tests.Archive;

/// <summary>
/// Apply a layer, rebuild it from tar-split and the diff directory: the bytes are the original
/// tar's, so the rebuilt sha256 is the DiffID. Tars come from System.Formats.Tar's TarWriter in
/// every format and from GNU tar, whose names are also checked against TarReader's.
/// </summary>
public class TarSplitRoundTripTests
{
    [Theory]
    [InlineData(TarEntryFormat.V7)]
    [InlineData(TarEntryFormat.Ustar)]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    public async Task TarWriter_archives_round_trip(TarEntryFormat format)
    {
        using var scratch = new ArchiveScratch();
        var layer = BuildWithTarWriter(format);
        var (result, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        Assert.Equal(Layers.Sha256(layer), result.UncompressedDigest);
        var rebuilt = await Layers.RebuildAsync(split, scratch.Diff);
        Assert.Equal(layer, rebuilt);
        Assert.Equal(result.UncompressedDigest, Layers.Sha256(rebuilt));
        Assert.Equal(ReferenceNames(layer), await OurNamesAsync(layer));
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("posix")]
    [InlineData("ustar")]
    public async Task GNU_tar_archives_round_trip(string format)
    {
        using var scratch = new ArchiveScratch();
        var source = await BuildSourceTreeAsync(scratch, longNames: format != "ustar");
        var tar = scratch.PathOf($"layer-{format}.tar");
        var (exit, _, errors) = await ChildProcess.RunAsync("tar", ["--format=" + format, "--xattrs", "--xattrs-include=user.*", "-cf", tar, "-C", source, "."]);
        Assert.True(exit == 0, errors);
        var layer = await File.ReadAllBytesAsync(tar);
        Assert.True(layer.Length % 10240 == 0, "GNU tar pads to its 10 KiB record: zeros beyond the end blocks");

        var (result, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        Assert.Equal(await Tree.Sha256Async(tar), result.UncompressedDigest);
        Assert.Equal(layer, await Layers.RebuildAsync(split, scratch.Diff));
        Assert.Equal(ReferenceNames(layer), await OurNamesAsync(layer));

        var tree = await Tree.DumpAsync(scratch.Diff);
        Assert.Equal(tree["a.txt"].Inode, tree["dir/hard"].Inode);
        Assert.Equal(0x9ED, tree["setuid"].Permissions);
        Assert.Equal('p', tree["fifo"].Type);
        if (format == "posix")
        {
            Assert.Equal(Convert.ToHexStringLower("v"u8), tree["a.txt"].Xattrs["user.k"]);
        }
    }

    [Fact]
    public async Task A_changed_file_fails_its_checksum()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("a", "original").Build();
        var (_, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        await File.WriteAllTextAsync(Path.Combine(scratch.Diff, "a"), "modified");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Layers.RebuildAsync(split, scratch.Diff));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(scratch.Diff, "a"), "original and more");
        await Assert.ThrowsAsync<InvalidDataException>(() => Layers.RebuildAsync(split, scratch.Diff));

        File.Delete(Path.Combine(scratch.Diff, "a"));
        await Assert.ThrowsAsync<IOException>(() => Layers.RebuildAsync(split, scratch.Diff));
    }

    [Fact]
    public async Task Reassembly_never_follows_a_symlink_or_opens_a_FIFO_in_place_of_a_file()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("a", "original").File("b", "other").Build();
        var (_, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        File.Delete(Path.Combine(scratch.Diff, "a"));
        File.CreateSymbolicLink(Path.Combine(scratch.Diff, "a"), "/etc/passwd");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Layers.RebuildAsync(split, scratch.Diff));
        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);

        File.Delete(Path.Combine(scratch.Diff, "a"));
        Assert.Equal(0, (await ChildProcess.RunAsync("mkfifo", [Path.Combine(scratch.Diff, "a")])).ExitCode);
        var rebuild = Layers.RebuildAsync(split, scratch.Diff);
        Assert.Same(rebuild, await Task.WhenAny(rebuild, Task.Delay(TimeSpan.FromSeconds(10))));
        await Assert.ThrowsAsync<InvalidDataException>(() => rebuild);
    }

    private static byte[] BuildWithTarWriter(TarEntryFormat format)
    {
        var longOk = format is TarEntryFormat.Pax or TarEntryFormat.Gnu;
        var random = new Random(7);
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, format, leaveOpen: true))
        {
            System.Formats.Tar.TarEntry Entry(TarEntryType type, string name) => format switch
            {
                TarEntryFormat.V7 => new V7TarEntry(type == TarEntryType.RegularFile ? TarEntryType.V7RegularFile : type, name),
                TarEntryFormat.Ustar => new UstarTarEntry(type, name),
                TarEntryFormat.Pax => new PaxTarEntry(type, name),
                _ => new GnuTarEntry(type, name),
            };

            writer.WriteEntry(Entry(TarEntryType.Directory, "dir/"));
            var content = new byte[5000];
            random.NextBytes(content);
            var file = Entry(TarEntryType.RegularFile, "dir/file.bin");
            file.DataStream = new MemoryStream(content);
            writer.WriteEntry(file);
            writer.WriteEntry(Entry(TarEntryType.RegularFile, "dir/empty"));
            var hard = Entry(TarEntryType.HardLink, "dir/hard");
            hard.LinkName = "dir/file.bin";
            writer.WriteEntry(hard);
            var link = Entry(TarEntryType.SymbolicLink, "dir/link");
            link.LinkName = longOk ? "/" + new string('t', 200) : "file.bin";
            writer.WriteEntry(link);
            if (longOk)
            {
                var longFile = Entry(TarEntryType.RegularFile, "dir/" + new string('l', 180) + "/ünïcödé-файл.txt");
                longFile.DataStream = new MemoryStream("long"u8.ToArray());
                writer.WriteEntry(longFile);
            }
        }

        // A trailing record of zeros, as many writers leave.
        return [.. stream.ToArray(), .. new byte[4096]];
    }

    private static async Task<string> BuildSourceTreeAsync(ArchiveScratch scratch, bool longNames)
    {
        var source = Directory.CreateDirectory(scratch.PathOf("src")).FullName;
        File.WriteAllText(Path.Combine(source, "a.txt"), "hello");
        File.WriteAllBytes(Path.Combine(source, "empty"), []);
        Directory.CreateDirectory(Path.Combine(source, "dir/sub"));
        var random = new byte[100_000];
        new Random(3).NextBytes(random);
        File.WriteAllBytes(Path.Combine(source, "dir/sub/deep.bin"), random);
        File.CreateSymbolicLink(Path.Combine(source, "link"), "a.txt");
        File.WriteAllText(Path.Combine(source, "setuid"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(source, "setuid"), (UnixFileMode)0x9ED);
        if (longNames)
        {
            var longDirectory = Directory.CreateDirectory(Path.Combine(source, "long", new string('d', 120))).FullName;
            File.WriteAllText(Path.Combine(longDirectory, new string('f', 130) + ".txt"), "long");
            Directory.CreateDirectory(Path.Combine(source, "ünïcödé"));
            File.WriteAllText(Path.Combine(source, "ünïcödé", "файл.txt"), "unicode");
            File.CreateSymbolicLink(Path.Combine(source, "longlink"), "/" + new string('t', 150));
        }

        Assert.Equal(0, (await ChildProcess.RunAsync("ln", [Path.Combine(source, "a.txt"), Path.Combine(source, "dir/hard")])).ExitCode);
        Assert.Equal(0, (await ChildProcess.RunAsync("mkfifo", [Path.Combine(source, "fifo")])).ExitCode);
        Assert.Equal(0, (await ChildProcess.RunAsync("python3", ["-c", "import os,sys; os.setxattr(sys.argv[1], 'user.k', b'v')", Path.Combine(source, "a.txt")])).ExitCode);
        return source;
    }

    /// <summary>(name, type, size) of each entry as System.Formats.Tar's reader, an independent implementation, sees it.</summary>
    private static List<string> ReferenceNames(byte[] layer)
    {
        var names = new List<string>();
        using var reader = new TarReader(new MemoryStream(layer));
        while (reader.GetNextEntry() is { } entry)
        {
            var type = entry.EntryType == TarEntryType.V7RegularFile ? TarEntryType.RegularFile : entry.EntryType;
            names.Add($"{entry.Name} {type} {(type is TarEntryType.RegularFile ? entry.Length : 0)}");
        }

        return names;
    }

    private static async Task<List<string>> OurNamesAsync(byte[] layer)
    {
        var names = new List<string>();
        using var reader = new TarEntryReader(new MemoryStream(layer), 4096, 1 << 20);
        var entry = new Storage.Archive.TarEntry();
        while (await reader.NextAsync(entry, CancellationToken.None))
        {
            names.Add($"{Encoding.UTF8.GetString(entry.Name)} {entry.Type} {(entry.Type is TarEntryType.RegularFile ? entry.Size : 0)}");
        }

        return names;
    }
}
