using CriO.Storage.Archive;

namespace CriO.Storage.Tests.Archive;

/// <summary>OCI whiteouts become overlay's form: 0:0 character devices and trusted.overlay.opaque. Needs root.</summary>
public class LayerApplierWhiteoutTests
{
    [Fact]
    public async Task Whiteouts_become_character_devices_and_opaque_markers_become_xattrs()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar()
            .Directory("a/")
            .File("a/.wh..wh..opq", "")
            .File("a/keep", "kept")
            .Entry(".wh.gone", '0', uid: 7, gid: 8)
            .File("b/.wh.x", "")
            .Directory(".wh..wh.plnk/")
            .File(".wh..wh.plnk/123.456", "aufs hardlink store")
            .File("c/.wh.file", "")
            .File(".wh..wh..opq", "")
            .Build();
        var (result, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        var tree = await Tree.DumpAsync(scratch.Diff);

        Assert.Equal("79", tree["a"].Xattrs["trusted.overlay.opaque"]);
        Assert.Equal("79", tree["."].Xattrs["trusted.overlay.opaque"]);
        Assert.Equal("kept", File.ReadAllText(Path.Combine(scratch.Diff, "a/keep")));
        Assert.Equal(('c', 0L, 0L, 0, 7L, 8L), (tree["gone"].Type, tree["gone"].Major, tree["gone"].Minor, tree["gone"].Permissions, tree["gone"].Uid, tree["gone"].Gid));
        Assert.Equal(('c', 0L, 0L), (tree["b/x"].Type, tree["b/x"].Major, tree["b/x"].Minor));
        Assert.Equal('c', tree["c/file"].Type);

        // AUFS bookkeeping entries are skipped; what they hold is applied, as containers/storage does.
        Assert.Equal('f', tree[".wh..wh.plnk/123.456"].Type);
        Assert.DoesNotContain(tree.Keys, k => k.Contains(".wh.", StringComparison.Ordinal) && !k.StartsWith(".wh..wh.plnk", StringComparison.Ordinal));
        Assert.False(tree.ContainsKey(".wh.plnk"));

        // Whiteouts are part of the tar: recorded, and left out of the uid/gid sets.
        Assert.Equal(Layers.Sha256(layer), result.UncompressedDigest);
        Assert.Equal(layer, await Layers.RebuildAsync(split, scratch.Diff));
        Assert.Equal<uint>([0], result.Uids);
    }

    [Fact]
    public async Task A_whiteout_of_a_path_the_layer_wrote_replaces_it_only_without_tar_split()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("c/file", "replaced by its whiteout").File("c/.wh.file", "").Build();
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff));
        Assert.Equal("c/.wh.file", error.EntryName);

        var diff = scratch.NewDiff("without-tar-split");
        await Layers.ApplyAsync(layer, diff, tarSplit: false);
        Assert.Equal('c', (await Tree.DumpAsync(diff))["c/file"].Type);
    }

    [Fact]
    public async Task A_whiteout_with_content_cannot_be_recorded_for_reassembly()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File(".wh.x", "content nobody can rebuild").Build();
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff));
        Assert.Equal(".wh.x", error.EntryName);
        await Layers.ApplyAsync(layer, scratch.NewDiff("without-tar-split"), tarSplit: false);
    }

    [Theory]
    [InlineData(".wh.")]
    [InlineData("a/.wh..")]
    public async Task A_whiteout_without_a_proper_name_is_refused(string name)
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().Directory("a/").File(name, "").Build();
        await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff));
    }
}
