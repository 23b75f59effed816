namespace CriO.Server.Config;

/// <summary>Where the configuration comes from: the main file, the drop-in folder, and flag values.</summary>
public sealed record ConfigSources
{
    public const string DefaultFile = "/etc/crio/crio.conf";
    public const string DefaultDropInDirectory = "/etc/crio/crio.conf.d";

    public string File { get; init; } = DefaultFile;

    /// <summary>A file named on the command line must exist; the default one may be absent.</summary>
    public bool FileRequired { get; init; }

    public string DropInDirectory { get; init; } = DefaultDropInDirectory;

    /// <summary>Flag values by flag name (with dashes), in command-line order; they win over files.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Flags { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();
}
