using System.Formats.Tar;

namespace CriO.Image.Import;

/// <summary>
/// Unpacks an image archive (oci-archive, docker-archive) into a temporary folder. The archive
/// is untrusted: only regular files, folders and symlinks are taken, every name and every
/// symlink target must stay inside the folder (no "..", nothing absolute), hardlinks and devices
/// are refused. docker-archive uses symlinks between its layer files, hence those.
/// </summary>
internal static class ArchiveExtractor
{
    public static async Task ExtractAsync(string archive, string destination, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(archive);
        await using var tar = new TarReader(file);
        var root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        var links = new List<(string Path, string Target)>();
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            var name = entry.Name;
            while (name.StartsWith("./", StringComparison.Ordinal))
            {
                name = name[2..];
            }

            name = name.TrimStart('/');
            if (name.Length == 0 || name == ".")
            {
                continue;
            }

            if (name.Split('/').Any(part => part == ".."))
            {
                throw new InvalidDataException($"{archive}: entry \"{entry.Name}\" climbs out of the archive");
            }

            var target = Path.GetFullPath(Path.Combine(root, name));
            if (!target.StartsWith(root, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{archive}: entry \"{entry.Name}\" is outside the archive");
            }

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    await using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    break;
                case TarEntryType.SymbolicLink:
                    var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(target)!, entry.LinkName));
                    if (Path.IsPathRooted(entry.LinkName) || !resolved.StartsWith(root, StringComparison.Ordinal))
                    {
                        throw new InvalidDataException($"{archive}: symlink \"{entry.Name}\" points outside the archive");
                    }

                    // Made last, so no later entry can be written through one.
                    links.Add((target, entry.LinkName));
                    break;
                case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                    break;
                default:
                    throw new InvalidDataException($"{archive}: entry \"{entry.Name}\" is a {entry.EntryType}; image archives hold only files, folders and symlinks");
            }
        }

        foreach (var (path, linkTarget) in links)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.CreateSymbolicLink(path, linkTarget);
        }
    }
}
