using System.Formats.Tar;
using System.Text;
using CriO.Image.Import;

namespace CriO.Image.Tests.Import;

/// <summary>
/// Hostile and ordinary archives against <see cref="ImageArchive"/>'s index: names and links are
/// resolved among the archive's own entries, never on the node, so nothing the archive says can
/// reach a file outside it. A file outside the archive sits beside it in each test, as bait.
/// </summary>
public sealed class ImageArchiveTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public ImageArchiveTests() => _folder.Write("secret", "host file");

    [Fact]
    public async Task Files_are_read_from_their_place_in_the_archive_also_through_links_inside_it()
    {
        using var archive = await ArchiveAsync(
            File("./manifest.json", "[]"),
            Folder("blobs/"),
            File("blobs/sha256/abc", "layer bytes"),
            Link("layer.tar", "blobs/sha256/abc"),
            Link("again/layer.tar", "../blobs/./sha256/abc"),
            Link("chain", "again/layer.tar"));

        Assert.Equal("[]", await TextAsync(archive, "manifest.json"));
        Assert.Equal("layer bytes", await TextAsync(archive, "layer.tar"));
        Assert.Equal("layer bytes", await TextAsync(archive, "./again/layer.tar"));
        Assert.Equal("layer bytes", await TextAsync(archive, "chain"));
        Assert.Equal(11, archive.Length("chain"));
        using var reader = new StreamReader(archive.OpenRead("blobs/sha256/abc"));
        Assert.Equal("layer bytes", await reader.ReadToEndAsync());
        await Assert.ThrowsAsync<InvalidDataException>(() => archive.ReadAllAsync("layer.tar", 5, CancellationToken.None));
        Assert.Throws<FileNotFoundException>(() => archive.OpenRead("missing"));
    }

    // Each link stays inside the archive when read as text from its own folder; followed one
    // through the other on disk they led above it (the escape a string check let through).
    [Fact]
    public async Task Links_that_each_look_inside_but_lead_out_together_are_refused()
    {
        using var archive = await ArchiveAsync(Link("a/b", ".."), Link("c", "a/b/.."), File("a/x", "x"));

        var refused = Assert.Throws<InvalidDataException>(() => archive.OpenRead("c/secret"));
        Assert.Contains("leads out of the archive", refused.Message, StringComparison.Ordinal);
        Assert.Equal("x", await TextAsync(archive, "a/b/a/x"));
    }

    [Fact]
    public async Task Absolute_links_climbing_names_folders_and_loops_are_refused()
    {
        using var archive = await ArchiveAsync(
            Link("absolute", _folder.Combine("secret")),
            Link("up", "../secret"),
            Folder("dir/"),
            Link("loop1", "loop2"),
            Link("loop2", "loop1"),
            File("file", "f"));

        Assert.Contains("absolute path", Assert.Throws<InvalidDataException>(() => archive.OpenRead("absolute")).Message, StringComparison.Ordinal);
        Assert.Contains("leads out", Assert.Throws<InvalidDataException>(() => archive.OpenRead("up")).Message, StringComparison.Ordinal);
        Assert.Contains("climbs out", Assert.Throws<InvalidDataException>(() => archive.OpenRead("../secret")).Message, StringComparison.Ordinal);
        Assert.Contains("is a folder", Assert.Throws<InvalidDataException>(() => archive.OpenRead("dir")).Message, StringComparison.Ordinal);
        Assert.Contains("links", Assert.Throws<InvalidDataException>(() => archive.OpenRead("loop1")).Message, StringComparison.Ordinal);
        Assert.Contains("not a folder", Assert.Throws<InvalidDataException>(() => archive.OpenRead("file/x")).Message, StringComparison.Ordinal);
        Assert.Contains("absolute name", Assert.Throws<InvalidDataException>(() => archive.OpenRead("/file")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_that_could_make_the_index_ambiguous_or_reach_the_node_refuse_the_whole_archive()
    {
        await RefusedAsync("appears twice", File("manifest.json", "1"), File("manifest.json", "2"));
        await RefusedAsync("appears twice", Link("layer", "x"), Folder("layer/"));
        await RefusedAsync("both a folder and a", File("layer", "x"), File("layer/inner", "y"));
        await RefusedAsync("climbs out", File("../escaped", "x"));
        await RefusedAsync("absolute name", File("/etc/escaped", "x"));
        await RefusedAsync("HardLink", File("a", "x"), new PaxTarEntry(TarEntryType.HardLink, "b") { LinkName = "a" });
        await RefusedAsync("CharacterDevice", new PaxTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3 });
        Assert.Equal("host file", await System.IO.File.ReadAllTextAsync(_folder.Combine("secret")));
    }

    [Fact]
    public async Task A_file_that_is_no_tar_is_a_clear_error()
    {
        var path = _folder.Write("garbage.tar", new string('x', 2000));
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => ImageArchive.OpenAsync(path, CancellationToken.None));
        Assert.Contains("garbage.tar", refused.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private async Task RefusedAsync(string message, params TarEntry[] entries)
    {
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => ArchiveAsync(entries));
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    private async Task<ImageArchive> ArchiveAsync(params TarEntry[] entries)
    {
        var path = _folder.Combine($"{Guid.NewGuid():N}.tar");
        await using (var file = System.IO.File.Create(path))
        await using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            foreach (var entry in entries)
            {
                await tar.WriteEntryAsync(entry);
            }
        }

        return await ImageArchive.OpenAsync(path, CancellationToken.None);
    }

    private static async Task<string> TextAsync(ImageArchive archive, string name) =>
        Encoding.UTF8.GetString(await archive.ReadAllAsync(name, 1024, CancellationToken.None));

    private static PaxTarEntry File(string name, string text) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) };

    private static PaxTarEntry Folder(string name) => new(TarEntryType.Directory, name);

    private static PaxTarEntry Link(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };
}
