namespace CriO.Server.Tests.Config;

/// <summary>A throwaway folder with a crio.conf and a crio.conf.d, removed on dispose.</summary>
internal sealed class TempConfigFolder : IDisposable
{
    public TempConfigFolder()
    {
        Root = Directory.CreateTempSubdirectory("crio-config-test-").FullName;
        Directory.CreateDirectory(DropInDirectory);
    }

    public string Root { get; }

    public string File => Path.Combine(Root, "crio.conf");

    public string DropInDirectory => Path.Combine(Root, "crio.conf.d");

    public string WriteMain(string toml)
    {
        System.IO.File.WriteAllText(File, toml);
        return File;
    }

    public string WriteDropIn(string name, string toml)
    {
        var path = Path.Combine(DropInDirectory, name);
        System.IO.File.WriteAllText(path, toml);
        return path;
    }

    public CriO.Server.Config.ConfigSources Sources(IReadOnlyDictionary<string, IReadOnlyList<string>>? flags = null) => new()
    {
        File = File,
        DropInDirectory = DropInDirectory,
        Flags = flags ?? new Dictionary<string, IReadOnlyList<string>>(),
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
