using CriO.Server.Interop;

namespace CriO.Server.Play;

/// <summary>
/// hostPath volume types, with the check (and creation, for the *OrCreate types) the kubelet
/// makes before mounting: "" checks nothing, DirectoryOrCreate makes a 0755 folder,
/// FileOrCreate an empty 0644 file (never its parent folder), the others require that type.
/// </summary>
public static class HostPathTypes
{
    public const string Unset = "";
    public const string DirectoryOrCreate = "DirectoryOrCreate";
    public const string Directory = "Directory";
    public const string FileOrCreate = "FileOrCreate";
    public const string File = "File";
    public const string Socket = "Socket";
    public const string CharDevice = "CharDevice";
    public const string BlockDevice = "BlockDevice";

    public static readonly string[] All = [Unset, DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice];

    /// <summary>Checks <paramref name="path"/> against <paramref name="type"/>, making it first for the *OrCreate types when nothing is there.</summary>
    public static void Prepare(string path, string? type, string volume)
    {
        var status = FileStatus.Of(path, followSymlink: true);
        switch (type ?? Unset)
        {
            case Unset:
                return;
            case DirectoryOrCreate when status is null:
                System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                return;
            case FileOrCreate when status is null:
                if (!System.IO.Directory.Exists(Path.GetDirectoryName(path)))
                {
                    throw new ManifestException($"volume \"{volume}\": hostPath {path} is FileOrCreate but its folder does not exist");
                }

                using (System.IO.File.Create(path))
                {
                }

                System.IO.File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                return;
        }

        var expected = type ?? Unset;
        var isType = status is { } found && (expected switch
        {
            DirectoryOrCreate or Directory => found.IsDirectory,
            FileOrCreate or File => found.IsRegularFile,
            Socket => found.IsSocket,
            CharDevice => found.DeviceKind == "c",
            BlockDevice => found.DeviceKind == "b",
            _ => false,
        });
        if (!isType)
        {
            throw new ManifestException($"volume \"{volume}\": hostPath {path} is not a {expected.Replace("OrCreate", "", StringComparison.Ordinal)}{(status is null ? " (nothing is there)" : "")}");
        }
    }
}
