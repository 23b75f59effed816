using System.Text;
using CriO.Storage.Archive;

namespace CriO.Storage.Tests.Archive;

/// <summary>
/// Layers are untrusted: every attempt to reach outside the diff directory fails the layer or
/// is confined to it, and the host outside is untouched. Symlinks in a name's parents resolve
/// as if the diff directory were "/" (what containers/storage gets from its chroot). Needs root.
/// </summary>
public class LayerApplierHostileTests
{
    public static TheoryData<string, byte[], string> RefusedLayers()
    {
        var sentinel = "/SENTINEL/"; // replaced by the scratch sentinel's absolute path
        var data = new TheoryData<string, byte[], string>
        {
            { "dot-dot escape", new RawTar().File("../sentinel/pwned", "x").Build(), "climbs out" },
            { "deeper dot-dot escape", new RawTar().File("a/../../sentinel/pwned", "x").Build(), "climbs out" },
            { "absolute dot-dot escape", new RawTar().File("/../sentinel/pwned", "x").Build(), "climbs out" },
            { "entry named ..", new RawTar().Directory("..").Build(), "climbs out" },
            { "write through an absolute symlink to the host", new RawTar().Symlink("evil", sentinel).File("evil/pwned", "x").Build(), "does not exist in the layer" },
            { "write through a chain of symlinks", new RawTar().Symlink("l1", "l2").Symlink("l2", sentinel).File("l1/pwned", "x").Build(), "does not exist in the layer" },
            { "symlink loop", new RawTar().Symlink("a", "b").Symlink("b", "a").File("a/x", "x").Build(), "too many symbolic links" },
            { "hardlink to /etc/passwd", new RawTar().HardLink("passwd", "/etc/passwd").Build(), "does not exist earlier in this layer" },
            { "hardlink climbing out", new RawTar().HardLink("h", "../sentinel/file").Build(), "climbs out" },
            { "hardlink through an absolute symlinked parent", new RawTar().Symlink("s", sentinel).HardLink("h", "s/file").Build(), "does not exist earlier in this layer" },
            { "hardlink through a relative symlinked parent", new RawTar().Symlink("s", "../sentinel").HardLink("h", "s/file").Build(), "does not exist earlier in this layer" },
            { "directory replaced by a symlink, then written through", new RawTar().Directory("d/").Symlink("d", sentinel).File("d/pwned", "x").Build(), "does not exist in the layer" },
            { "file as a parent", new RawTar().File("f", "x").File("f/child", "x").Build(), "is not a directory" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedLayers))]
    public async Task Escapes_fail_and_leave_the_host_untouched(string why, byte[] layer, string reason)
    {
        using var scratch = new ArchiveScratch();
        layer = PointAt(layer, scratch.Sentinel);
        var guard = await HostGuard.TakeAsync(scratch);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Layers.ApplyAsync(layer, scratch.Diff, tarSplit: false));
        Assert.True(error is LayerFormatException, $"{why}: {error}");
        Assert.NotNull(((LayerFormatException)error).EntryName);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        await guard.AssertUntouchedAsync();
    }

    [Fact]
    public async Task Absolute_names_map_inside_the_layer()
    {
        using var scratch = new ArchiveScratch();
        var guard = await HostGuard.TakeAsync(scratch);
        await Layers.ApplyAsync(new RawTar().File("/etc/passwd", "layer's own").Build(), scratch.Diff);
        Assert.Equal("layer's own", File.ReadAllText(Path.Combine(scratch.Diff, "etc/passwd")));
        await guard.AssertUntouchedAsync();
    }

    [Fact]
    public async Task Writing_through_a_symlink_to_etc_lands_in_the_layers_etc()
    {
        using var scratch = new ArchiveScratch();
        var guard = await HostGuard.TakeAsync(scratch);
        var layer = new RawTar().Directory("etc/").Symlink("evil", "/etc").File("evil/passwd", "hacked").Build();
        await Layers.ApplyAsync(layer, scratch.Diff);
        Assert.Equal("hacked", File.ReadAllText(Path.Combine(scratch.Diff, "etc/passwd")));
        await guard.AssertUntouchedAsync();
    }

    [Fact]
    public async Task Relative_symlinks_climbing_above_the_root_stop_at_the_root()
    {
        using var scratch = new ArchiveScratch();
        var guard = await HostGuard.TakeAsync(scratch);
        var layer = new RawTar().Symlink("up", "../../../../..").File("up/escaped", "x").Symlink("root", "/").File("root/also", "y").Build();
        await Layers.ApplyAsync(layer, scratch.Diff);
        Assert.True(File.Exists(Path.Combine(scratch.Diff, "escaped")));
        Assert.True(File.Exists(Path.Combine(scratch.Diff, "also")));
        Assert.False(File.Exists("/also"));
        await guard.AssertUntouchedAsync();
    }

    [Fact]
    public async Task A_hardlink_to_a_symlink_links_the_symlink_and_never_follows_it()
    {
        using var scratch = new ArchiveScratch();
        var guard = await HostGuard.TakeAsync(scratch);
        var layer = new RawTar()
            .Symlink("s", "/etc/passwd")
            .Pax(("SCHILY.xattr.user.evil", "1"))
            .Entry("h", '1', link: "s", mode: 0x1FF, uid: 4242)
            .Build();
        await Layers.ApplyAsync(layer, scratch.Diff);
        var tree = await Tree.DumpAsync(scratch.Diff);
        Assert.Equal(('l', "/etc/passwd", 4242L), (tree["h"].Type, tree["h"].Link, tree["h"].Uid));
        await guard.AssertUntouchedAsync();
    }

    [Fact]
    public async Task A_file_replacing_a_symlink_does_not_write_through_it()
    {
        using var scratch = new ArchiveScratch();
        var guard = await HostGuard.TakeAsync(scratch);
        var target = Path.Combine(scratch.Sentinel, "file");
        var layer = new RawTar().Symlink("s", target).File("s", "mine").Build();
        await Layers.ApplyAsync(layer, scratch.Diff, tarSplit: false);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(scratch.Diff, "s")));
        await guard.AssertUntouchedAsync();
    }

    [Fact]
    public async Task A_name_longer_than_PATH_MAX_fails()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().Pax(("path", new string('a', 5000))).File("short", "x").Build();
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff));
        Assert.Contains("4096", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symlink_target_longer_than_PATH_MAX_fails()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().GnuLong('K', Encoding.ASCII.GetBytes(new string('t', 5000))).Symlink("s", "t").Build();
        await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff));
    }

    [Fact]
    public async Task Oversized_extension_headers_fail_before_they_are_read()
    {
        using var scratch = new ArchiveScratch();

        // Declares 100 MiB of PAX records and holds none: the bound must trip, not the truncation.
        var layer = new RawTar().Entry("PaxHeaders/x", 'x', declaredSize: 100L << 20).Build();
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff));
        Assert.Contains("at most", error.Message, StringComparison.Ordinal);

        var longName = new RawTar().GnuLong('L', new byte[2 << 20]).File("x", "x").Build();
        await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(longName, scratch.NewDiff("second")));
    }

    [Fact]
    public async Task Too_many_entries_fail()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("a", "1").File("b", "2").File("c", "3").File("d", "4").Build();
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff, new LayerApplyOptions { MaxEntries = 3 }));
        Assert.Contains("3 entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_inside_content_fails_naming_the_entry()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("first", "ok").File("second", new string('x', 4000)).Build();
        var cut = layer[..(512 + 512 + 512 + 1000)];
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(cut, scratch.Diff));
        Assert.Equal("second", error.EntryName);
        Assert.Contains("ends", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_inside_a_header_fails()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("first", "ok").File("second", "x").Build();
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer[..(1024 + 100)], scratch.Diff));
        Assert.Contains("inside a header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_header_fails()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("first", "ok").Build();
        layer[10] ^= 0x55; // the checksum no longer matches
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sparse_files_are_refused()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().Pax(("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0")).File("sparse", "x").Build();
        await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff));
    }

    /// <summary>Puts the scratch sentinel's absolute path where a test layer says "/SENTINEL/".</summary>
    private static byte[] PointAt(byte[] layer, string sentinel)
    {
        var marker = "/SENTINEL/"u8.ToArray();
        var replacement = Encoding.ASCII.GetBytes(sentinel.PadRight(marker.Length, '/'));
        Assert.True(replacement.Length <= 100);
        var result = layer.ToArray();
        for (var block = 0; block < result.Length; block += 512)
        {
            var link = result.AsSpan(block + 157, 100);
            if (link.StartsWith(marker))
            {
                link.Clear();
                replacement.CopyTo(link);
                var header = result.AsSpan(block, 512);
                " "u8.ToArray().AsSpan().CopyTo(header[148..]);
                header[148..156].Fill((byte)' ');
                var sum = 0;
                foreach (var b in header)
                {
                    sum += b;
                }

                Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[148..]);
            }
        }

        return result;
    }
}
