namespace CriO.TestImages;

/// <summary>One entry of a test layer: what a Dockerfile step would leave in the filesystem.</summary>
public sealed record LayerEntry(
    string Path,
    System.Formats.Tar.TarEntryType Type,
    UnixFileMode Mode,
    int Uid = 0,
    int Gid = 0,
    byte[]? Content = null,
    string? ContentFile = null,
    string? LinkTarget = null);
