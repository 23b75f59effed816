namespace CriO.Image.Import;

/// <summary>
/// The files of an image in an OCI layout or docker archive, by their names in it: a folder
/// on the node (<see cref="LayoutFolder"/>) or an archive read in place (<see cref="ImageArchive"/>).
/// </summary>
public interface IImageFiles
{
    /// <summary>The size of the file <paramref name="name"/> names.</summary>
    long Length(string name);

    /// <summary>The whole file, refused (InvalidDataException) when larger than <paramref name="maxBytes"/>.</summary>
    Task<byte[]> ReadAllAsync(string name, int maxBytes, CancellationToken cancellationToken);

    /// <summary>The file as a stream, for layers of any size.</summary>
    Stream OpenRead(string name);
}
