using System.Text;
using CriO.Storage.Metadata;

namespace CriO.Storage.Tests.Metadata;

public sealed class MetadataFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crio-metadata-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Read_MissingFileOrFolder_IsNoRecords()
    {
        Assert.Empty(MetadataFile.Read<LayerRecord>(Path.Combine(_directory, "layers.json")));
        Assert.Empty(MetadataFile.Read<LayerRecord>(Path.Combine(_directory, "missing", "layers.json")));
    }

    [Fact]
    public void Read_EmptyFile_IsNoRecords()
    {
        var path = Path.Combine(_directory, "images.json");
        File.WriteAllBytes(path, []);

        Assert.Empty(MetadataFile.Read<ImageRecord>(path));
    }

    [Fact]
    public void Read_Corrupt_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_directory, "images.json");
        File.WriteAllText(path, "[{\"id\":");

        var error = Assert.Throws<InvalidDataException>(() => MetadataFile.Read<ImageRecord>(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OverTheBound_Throws()
    {
        var path = Path.Combine(_directory, "layers.json");
        using (var file = File.Create(path))
        {
            file.SetLength(MetadataFile.MaxSize + 1L);
        }

        Assert.Throws<InvalidDataException>(() => MetadataFile.Read<LayerRecord>(path));
    }

    [Fact]
    public void WriteAtomically_WritesMode0600_LeavesNoTemporaryFile_AndReadsBack()
    {
        var path = Path.Combine(_directory, "overlay-layers", "layers.json");
        var layers = MetadataFile.Parse<LayerRecord>(Encoding.UTF8.GetBytes(PodmanFixtures.Layers));

        MetadataFile.WriteAtomically(path, layers);

        Assert.Equal(PodmanFixtures.Layers, File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(["layers.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        Assert.Equal(3, MetadataFile.Read<LayerRecord>(path).Count);
    }

    [Fact]
    public void WriteAtomically_ReplacesTheInode_SoAnOpenReaderKeepsTheOldBytes()
    {
        var path = Path.Combine(_directory, "images.json");
        MetadataFile.WriteAtomically(path, "[]"u8);
        using var reader = File.OpenRead(path);

        MetadataFile.WriteAtomically(path, Encoding.UTF8.GetBytes(PodmanFixtures.Images));

        Assert.Equal("[]", new StreamReader(reader).ReadToEnd());
        Assert.Equal(PodmanFixtures.Images, File.ReadAllText(path));
    }

    [Fact]
    public async Task ConcurrentReaders_NeverSeeAPartialFile()
    {
        var path = Path.Combine(_directory, "images.json");
        var small = Encoding.UTF8.GetBytes("[]");
        var large = Encoding.UTF8.GetBytes(PodmanFixtures.Images);
        MetadataFile.WriteAtomically(path, small);
        var (reads, writes) = (0, 0);
        using var done = new CancellationTokenSource();

        var writer = Task.Run(() =>
        {
            for (var i = 0; !done.IsCancellationRequested; i++)
            {
                MetadataFile.WriteAtomically(path, i % 2 == 0 ? large : small);
                Interlocked.Increment(ref writes);
            }
        });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var sawLarge = false;
        while ((reads < 500 || Volatile.Read(ref writes) < 100) && DateTime.UtcNow < deadline)
        {
            var count = MetadataFile.Read<ImageRecord>(path).Count; // throws on a torn file
            Assert.True(count is 0 or 2);
            sawLarge |= count == 2;
            reads++;
        }

        await done.CancelAsync();
        await writer;
        Assert.True(reads >= 500 && writes >= 100, $"{reads} reads, {writes} writes");
        Assert.True(sawLarge);
        Assert.Single(Directory.GetFiles(_directory));
    }
}
