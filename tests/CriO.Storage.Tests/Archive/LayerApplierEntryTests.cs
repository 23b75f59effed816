using System.Formats.Tar;
using System.Text;
using CriO.Storage.Archive;
using CriO.Storage.Metadata;

namespace CriO.Storage.Tests.Archive;

/// <summary>Every entry type lands with its owner, mode, times and xattrs. Needs root (chown, mknod, security.capability).</summary>
public class LayerApplierEntryTests
{
    // vfs_cap_data revision 2, effective, CAP_NET_BIND_SERVICE permitted.
    private static readonly byte[] Capability = [0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly DateTimeOffset Modified = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_567);

    [Fact]
    public async Task Entries_land_with_owner_mode_times_and_xattrs()
    {
        using var scratch = new ArchiveScratch();
        var (result, _) = await Layers.ApplyAsync(BuildLayer(), scratch.Diff);
        var tree = await Tree.DumpAsync(scratch.Diff);

        var tool = tree["bin/tool"];
        Assert.Equal(('f', 0x9ED /* 04755 */, 0L, 0L), (tool.Type, tool.Permissions, tool.Uid, tool.Gid));
        Assert.Equal(Modified.ToUnixTimeMilliseconds() * 1_000_000 + 456_700, tool.ModifiedNs);
        Assert.Equal(Convert.ToHexStringLower(Capability), tool.Xattrs["security.capability"]);
        Assert.Equal(2, tool.LinkCount);
        Assert.Equal(tool.Inode, tree["bin/tool2"].Inode);

        var setgid = tree["data/setgid"];
        Assert.Equal((0x5E8 /* 02750 */, 1234L, 5678L), (setgid.Permissions, setgid.Uid, setgid.Gid));
        Assert.Equal(Convert.ToHexStringLower("bar"u8), setgid.Xattrs["user.foo"]);
        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(scratch.Diff, "data/setgid")));

        Assert.Equal(0x3FF /* 01777 */, tree["tmp"].Permissions);
        Assert.Equal(('l', "/bin/busybox", 42L, 43L), (tree["bin/sh"].Type, tree["bin/sh"].Link, tree["bin/sh"].Uid, tree["bin/sh"].Gid));
        Assert.Equal(('c', 1L, 3L, 0x1B6 /* 0666 */), (tree["dev/null"].Type, tree["dev/null"].Major, tree["dev/null"].Minor, tree["dev/null"].Permissions));
        Assert.Equal(('b', 7L, 0L, 0x1B0 /* 0660 */, 6L), (tree["dev/loop0"].Type, tree["dev/loop0"].Major, tree["dev/loop0"].Minor, tree["dev/loop0"].Permissions, tree["dev/loop0"].Gid));
        Assert.Equal(('p', 0x180 /* 0600 */), (tree["run/fifo"].Type, tree["run/fifo"].Permissions));
        Assert.Equal(('f', 0L), (tree["empty"].Type, tree["empty"].Size));

        // Parents the layer implies get 0755 and the layer's root owner.
        Assert.Equal(('d', 0x1ED, 0L), (tree["data"].Type, tree["data"].Permissions, tree["data"].Uid));

        // Directory times are set after their contents were written.
        Assert.Equal(1_600_000_000L * 1_000_000_000, tree["bin"].ModifiedNs);
        Assert.Equal(1_600_000_000L * 1_000_000_000, tree["dev"].ModifiedNs);

        // An access time later than the modification time is kept; none means "the modification time".
        Assert.Equal(1_800_000_000L * 1_000_000_000, tree["data/setgid"].AccessedNs);
        Assert.Equal(tool.ModifiedNs, tool.AccessedNs);

        Assert.Equal<uint>([0, 42, 1234], result.Uids);
        Assert.Equal<uint>([0, 6, 43, 5678], result.Gids);
        Assert.Equal(CompressionType.Uncompressed, result.Compression);
        Assert.Equal(14, result.EntryCount);
    }

    [Fact]
    public async Task Id_offsets_shift_owners_and_implied_parents()
    {
        using var scratch = new ArchiveScratch();
        var (result, _) = await Layers.ApplyAsync(BuildLayer(), scratch.Diff, new LayerApplyOptions { UidOffset = 100_000, GidOffset = 200_000 });
        var tree = await Tree.DumpAsync(scratch.Diff);
        Assert.Equal((101_234L, 205_678L), (tree["data/setgid"].Uid, tree["data/setgid"].Gid));
        Assert.Equal((100_000L, 200_000L), (tree["data"].Uid, tree["data"].Gid));
        Assert.Equal((100_042L, 200_043L), (tree["bin/sh"].Uid, tree["bin/sh"].Gid));

        // The layer record keeps the ids as the tar has them.
        Assert.Equal<uint>([0, 42, 1234], result.Uids);
    }

    [Fact]
    public async Task Later_entries_replace_earlier_ones_when_no_tar_split_is_recorded()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar()
            .File("x", "file first")
            .Directory("x/")
            .File("x/y", "inside")
            .Directory("d/", mode: 0x1C0)
            .File("d/f", "kept")
            .Directory("d/", mode: 0x1ED, uid: 5)
            .Directory("z/")
            .File("z/inner", "gone")
            .File("z", "file now")
            .Symlink("s", "/etc/passwd")
            .File("s", "not through the link")
            .Build();
        await Layers.ApplyAsync(layer, scratch.Diff, tarSplit: false);
        var tree = await Tree.DumpAsync(scratch.Diff);
        Assert.Equal('d', tree["x"].Type);
        Assert.Equal("inside", File.ReadAllText(Path.Combine(scratch.Diff, "x/y")));
        Assert.Equal((0x1ED, 5L), (tree["d"].Permissions, tree["d"].Uid));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(scratch.Diff, "d/f")));
        Assert.Equal('f', tree["z"].Type);
        Assert.False(tree.ContainsKey("z/inner"));
        Assert.Equal(('f', "not through the link"), (tree["s"].Type, File.ReadAllText(Path.Combine(scratch.Diff, "s"))));
    }

    [Fact]
    public async Task The_same_path_twice_is_refused_when_recording_tar_split_as_tar_split_does()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar().File("a", "1").File("./a", "2").Build();
        var error = await Assert.ThrowsAsync<LayerFormatException>(() => Layers.ApplyAsync(layer, scratch.Diff));
        Assert.Equal("./a", error.EntryName);
    }

    [Fact]
    public async Task Entries_naming_the_root_are_skipped_like_containers_storage()
    {
        using var scratch = new ArchiveScratch();
        var before = (await Tree.DumpAsync(scratch.Diff))["."];
        var layer = new RawTar().Directory("./", mode: 0x1C0, uid: 99).File("a", "x").Build();
        await Layers.ApplyAsync(layer, scratch.Diff);
        var root = (await Tree.DumpAsync(scratch.Diff))["."];
        Assert.Equal((before.Permissions, before.Uid), (root.Permissions, root.Uid));
    }

    [Fact]
    public async Task Layer_xattrs_for_overlay_and_selinux_are_not_applied()
    {
        using var scratch = new ArchiveScratch();
        var layer = new RawTar()
            .Pax(("SCHILY.xattr.trusted.overlay.redirect", "/elsewhere"), ("SCHILY.xattr.user.overlay.opaque", "y"), ("SCHILY.xattr.user.ok", "1"))
            .Directory("d/")
            .Build();
        await Layers.ApplyAsync(layer, scratch.Diff);
        var xattrs = (await Tree.DumpAsync(scratch.Diff))["d"].Xattrs;
        Assert.Equal(["user.ok"], xattrs.Keys);
    }

    [Fact]
    public async Task Non_UTF8_names_are_created_byte_for_byte()
    {
        using var scratch = new ArchiveScratch();
        var name = new byte[] { (byte)'n', 0xFF, 0xFE, (byte)'x' };
        var layer = new RawTar().Entry("", '0', "data"u8.ToArray(), nameBytes: name).Build();
        var (_, split) = await Layers.ApplyAsync(layer, scratch.Diff);
        Assert.Contains(@"n\xff\xfex", (await Tree.DumpAsync(scratch.Diff)).Keys);
        Assert.Contains(Layers.TarSplitLines(split), l => l.Contains("\"name_raw\":\"bv/+eA==\"", StringComparison.Ordinal));
        Assert.Equal(layer, await Layers.RebuildAsync(split, scratch.Diff));
    }

    private static byte[] BuildLayer()
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            var dirTime = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = Mode(0x1ED), ModificationTime = dirTime });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/tool", Xattrs(("security.capability", Capability)))
            {
                Mode = Mode(0x9ED),
                ModificationTime = Modified,
                DataStream = new MemoryStream("#!/bin/sh\n"u8.ToArray()),
            });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "bin/tool2") { LinkName = "bin/tool", Mode = Mode(0x9ED), ModificationTime = Modified });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/sh") { LinkName = "/bin/busybox", Uid = 42, Gid = 43, ModificationTime = Modified });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data/setgid", Xattrs(("user.foo", "bar"u8.ToArray()), ("atime", "1800000000"u8.ToArray())))
            {
                Mode = Mode(0x5E8),
                Uid = 1234,
                Gid = 5678,
                ModificationTime = Modified,
                DataStream = new MemoryStream("hello\n"u8.ToArray()),
            });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = Mode(0x3FF) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "dev/") { Mode = Mode(0x1ED), ModificationTime = dirTime });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { Mode = Mode(0x1B6), DeviceMajor = 1, DeviceMinor = 3 });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.BlockDevice, "dev/loop0") { Mode = Mode(0x1B0), Gid = 6, DeviceMajor = 7, DeviceMinor = 0 });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "run/") { Mode = Mode(0x1ED) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, "run/fifo") { Mode = Mode(0x180) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "empty") { Mode = Mode(0x1A4) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "usr/") { Mode = Mode(0x1ED) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "usr/lib/") { Mode = Mode(0x1ED) });
        }

        return stream.ToArray();
    }

    private static UnixFileMode Mode(int bits) => (UnixFileMode)bits;

    private static Dictionary<string, string> Xattrs(params (string Name, byte[] Value)[] values) =>
        values.ToDictionary(v => v.Name == "atime" ? "atime" : "SCHILY.xattr." + v.Name, v => Encoding.Latin1.GetString(v.Value));
}
