using CriO.Storage.Overlay;

namespace CriO.Storage.Tests.Overlay;

/// <summary>The overlay driver on the real kernel (needs root: overlay mounts).</summary>
public sealed class OverlayDriverTests : IDisposable
{
    private readonly TempStoreDirectory _store = new();

    [Fact]
    public void Layers_are_laid_out_as_containers_storage_lays_them_out()
    {
        var driver = new OverlayDriver(_store.Root);

        driver.Create("base", parent: null);
        driver.Create("middle", parent: "base");
        driver.Create("top", parent: "middle");

        var baseLink = File.ReadAllText(_store.Path("overlay", "base", "link"));
        var middleLink = File.ReadAllText(_store.Path("overlay", "middle", "link"));
        Assert.Matches("^[A-Z2-7]{26}$", baseLink);
        Assert.Equal("../base/diff", new FileInfo(_store.Path("overlay", "l", baseLink)).LinkTarget);
        Assert.True(Directory.Exists(_store.Path("overlay", "base", "empty")));
        Assert.False(File.Exists(_store.Path("overlay", "base", "lower")));
        Assert.Equal($"l/{baseLink}", File.ReadAllText(_store.Path("overlay", "middle", "lower")));
        Assert.Equal($"l/{middleLink}:l/{baseLink}", File.ReadAllText(_store.Path("overlay", "top", "lower")));
        Assert.True(Directory.Exists(_store.Path("overlay", "top", "work")));
        Assert.True(Directory.Exists(_store.Path("overlay", "top", "merged")));
        Assert.Equal((UnixFileMode)0b101_101_101, File.GetUnixFileMode(_store.Path("overlay", "base", "diff")));
        Assert.Equal((UnixFileMode)0b101_101_101, File.GetUnixFileMode(_store.Path("overlay", "top", "diff")));
    }

    [Fact]
    public void A_read_write_mount_shows_the_union_and_writes_go_to_the_top_diff()
    {
        var driver = new OverlayDriver(_store.Root);
        driver.Create("image", parent: null);
        File.WriteAllText(Path.Combine(driver.DiffDirectory("image"), "from-image"), "image");
        driver.Create("container", parent: "image");

        var merged = driver.Mount("container", readOnly: false);
        File.WriteAllText(Path.Combine(merged, "from-container"), "container");
        var seen = Directory.GetFileSystemEntries(merged).Select(Path.GetFileName).Order().ToList();
        Assert.True(driver.Unmount("container"));

        Assert.Equal(["from-container", "from-image"], seen);
        Assert.Equal("container", File.ReadAllText(Path.Combine(driver.DiffDirectory("container"), "from-container")));
        Assert.False(File.Exists(Path.Combine(driver.DiffDirectory("image"), "from-container")));
        Assert.Empty(_store.Mounts());
    }

    [Fact]
    public void A_base_layer_mounts_read_only_on_its_empty_folder()
    {
        var driver = new OverlayDriver(_store.Root);
        driver.Create("base", parent: null);
        File.WriteAllText(Path.Combine(driver.DiffDirectory("base"), "file"), "x");

        var merged = driver.Mount("base", readOnly: true);
        try
        {
            Assert.Equal("x", File.ReadAllText(Path.Combine(merged, "file")));
            Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(merged, "new"), "y"));
        }
        finally
        {
            driver.Unmount("base");
        }
    }

    [Fact]
    public void An_image_of_120_layers_mounts_although_its_absolute_options_exceed_a_page()
    {
        var driver = new OverlayDriver(_store.Root);
        string? parent = null;
        for (var i = 0; i < 120; i++)
        {
            var id = $"layer{i:D3}";
            driver.Create(id, parent);
            File.WriteAllText(Path.Combine(driver.DiffDirectory(id), $"file{i:D3}"), id);
            parent = id;
        }

        driver.Create("container", parent);
        var merged = driver.Mount("container", readOnly: false);
        try
        {
            Assert.Equal("layer000", File.ReadAllText(Path.Combine(merged, "file000")));
            Assert.Equal("layer119", File.ReadAllText(Path.Combine(merged, "file119")));
            Assert.Equal(120, Directory.GetFiles(merged).Length);
        }
        finally
        {
            driver.Unmount("container");
        }
    }

    [Fact]
    public void Remove_unmounts_and_deletes_the_folder_and_its_short_link()
    {
        var driver = new OverlayDriver(_store.Root);
        driver.Create("base", parent: null);
        driver.Create("container", parent: "base");
        var link = File.ReadAllText(_store.Path("overlay", "container", "link"));
        driver.Mount("container", readOnly: false);

        driver.Remove("container");
        driver.Remove("never-existed");

        Assert.False(Directory.Exists(_store.Path("overlay", "container")));
        Assert.False(Path.Exists(_store.Path("overlay", "l", link)));
        Assert.Empty(_store.Mounts());
        Assert.True(driver.Exists("base"));
    }

    [Fact]
    public void A_lower_file_that_names_anything_but_short_links_is_refused()
    {
        var driver = new OverlayDriver(_store.Root);
        driver.Create("base", parent: null);
        driver.Create("tampered", parent: "base");
        File.WriteAllText(_store.Path("overlay", "tampered", "lower"), "l/AAAAAAAAAAAAAAAAAAAAAAAAAA,upperdir=/etc");

        Assert.Throws<InvalidDataException>(() => driver.Mount("tampered", readOnly: false));
    }

    public void Dispose() => _store.Dispose();
}
