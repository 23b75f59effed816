namespace CriO.Image.Import;

/// <summary>An OCI image layout that is a folder on the node (oci:DIR), which the operator names.</summary>
public sealed class LayoutFolder(string folder) : IImageFiles
{
    public long Length(string name) => new FileInfo(PathOf(name)).Length;

    public async Task<byte[]> ReadAllAsync(string name, int maxBytes, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        if (new FileInfo(path).Length > maxBytes)
        {
            throw new InvalidDataException($"{path} is larger than {maxBytes} bytes");
        }

        return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public Stream OpenRead(string name) => File.OpenRead(PathOf(name));

    private string PathOf(string name) => Path.Combine(folder, name);
}
