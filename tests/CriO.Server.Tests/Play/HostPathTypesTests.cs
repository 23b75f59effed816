using CriO.Server.Play;

namespace CriO.Server.Tests.Play;

/// <summary>hostPath types: what is checked, and what is made.</summary>
public sealed class HostPathTypesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crio-hostpath-").FullName;

    [Fact]
    public void DirectoryOrCreate_and_FileOrCreate_make_what_is_missing()
    {
        var folder = Path.Join(_folder, "made");
        var file = Path.Join(_folder, "made.txt");

        HostPathTypes.Prepare(folder, HostPathTypes.DirectoryOrCreate, "v");
        HostPathTypes.Prepare(file, HostPathTypes.FileOrCreate, "v");

        Assert.True(Directory.Exists(folder));
        Assert.True(File.Exists(file));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(file));
    }

    [Fact]
    public void FileOrCreate_does_not_make_the_files_folder() =>
        Assert.Throws<ManifestException>(() => HostPathTypes.Prepare(Path.Join(_folder, "no", "file"), HostPathTypes.FileOrCreate, "v"));

    [Theory]
    [InlineData(HostPathTypes.Directory, "file", "is not a Directory")]
    [InlineData(HostPathTypes.File, "folder", "is not a File")]
    [InlineData(HostPathTypes.Directory, "missing", "(nothing is there)")]
    [InlineData(HostPathTypes.DirectoryOrCreate, "file", "is not a Directory")]
    [InlineData(HostPathTypes.Socket, "file", "is not a Socket")]
    public void The_other_types_require_that_type_to_be_there(string type, string what, string expected)
    {
        File.WriteAllText(Path.Join(_folder, "file"), "");
        Directory.CreateDirectory(Path.Join(_folder, "folder"));

        var error = Assert.Throws<ManifestException>(() => HostPathTypes.Prepare(Path.Join(_folder, what), type, "v"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unset_type_checks_nothing() => HostPathTypes.Prepare(Path.Join(_folder, "missing"), HostPathTypes.Unset, "v");

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
