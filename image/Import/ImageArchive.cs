using System.Formats.Tar;
using Microsoft.Win32.SafeHandles;

namespace CriO.Image.Import;

/// <summary>
/// An image archive (oci-archive, docker-archive) read where it lies: its tar headers are read
/// once into an index of names, and a file is read from its data's offset in the archive. Nothing
/// of the archive is ever unpacked on the host, so its symlinks (docker archives link repeated
/// layers) are only entries of the index, resolved here component by component inside the
/// archive: a link can lead only to another entry, never to a path of the node.
/// </summary>
/// <remarks>
/// The archive is untrusted. Names are relative ("./" allowed), with no ".." and nothing absolute;
/// a link's target is resolved from its folder, may not climb above the archive's root nor be
/// absolute, and at most <see cref="MaxLinkHops"/> links are followed in one lookup. A name given
/// twice, a hardlink or device or FIFO, or more than <see cref="MaxEntries"/> entries are refused
/// outright. Regular files are read by offset with positional reads, whatever their size.
/// </remarks>
public sealed class ImageArchive : IImageFiles, IDisposable
{
    public const int MaxEntries = 100_000;
    public const int MaxLinkHops = 40;

    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, Entry> _entries;
    private readonly HashSet<string> _folders;

    private ImageArchive(string path, SafeFileHandle file, Dictionary<string, Entry> entries, HashSet<string> folders)
    {
        _path = path;
        _file = file;
        _entries = entries;
        _folders = folders;
    }

    private enum Kind
    {
        File,
        Folder,
        Link,
    }

    /// <summary>Reads the archive's headers (not its data) into an index.</summary>
    /// <exception cref="InvalidDataException">The archive is not a tar, or has an entry refused above.</exception>
    public static async Task<ImageArchive> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var folders = new HashSet<string>(StringComparer.Ordinal) { "" };
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true))
        await using (var tar = new TarReader(stream))
        {
            while (await NextAsync(tar, path, cancellationToken).ConfigureAwait(false) is { } header)
            {
                if (entries.Count >= MaxEntries)
                {
                    throw new InvalidDataException($"{path}: more than {MaxEntries} entries");
                }

                var name = Normalize(header.Name, path);
                if (name.Length == 0)
                {
                    continue;
                }

                var entry = header.EntryType switch
                {
                    TarEntryType.Directory => new Entry(Kind.Folder, 0, 0, null),
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => new Entry(Kind.File, header.DataOffset, header.Length, null),
                    TarEntryType.SymbolicLink => new Entry(Kind.Link, 0, 0, header.LinkName),
                    TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes => null,
                    _ => throw new InvalidDataException($"{path}: entry \"{header.Name}\" is a {header.EntryType}; image archives hold only files, folders and symlinks"),
                };
                if (entry is null)
                {
                    continue;
                }

                if (entry.Kind == Kind.File && entry.Offset < 0)
                {
                    throw new InvalidDataException($"{path}: the data of \"{header.Name}\" has no place in the archive");
                }

                if (!entries.TryAdd(name, entry) && !(entry.Kind == Kind.Folder && entries[name].Kind == Kind.Folder))
                {
                    throw new InvalidDataException($"{path}: \"{name}\" appears twice in the archive");
                }

                for (var slash = name.LastIndexOf('/'); slash > 0; slash = name.LastIndexOf('/', slash - 1))
                {
                    folders.Add(name[..slash]);
                }

                if (entry.Kind == Kind.Folder)
                {
                    folders.Add(name);
                }
            }
        }

        foreach (var folder in folders.Where(f => f.Length > 0 && entries.TryGetValue(f, out var e) && e.Kind != Kind.Folder))
        {
            throw new InvalidDataException($"{path}: \"{folder}\" is both a folder and a {entries[folder].Kind.ToString().ToLowerInvariant()} in the archive");
        }

        return new ImageArchive(path, File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous), entries, folders);
    }

    /// <summary>The size of the file <paramref name="name"/> names (through links).</summary>
    public long Length(string name) => Resolve(name).Length;

    /// <summary>The whole file <paramref name="name"/> names, refused when it is larger than <paramref name="maxBytes"/>.</summary>
    public async Task<byte[]> ReadAllAsync(string name, int maxBytes, CancellationToken cancellationToken)
    {
        var entry = Resolve(name);
        if (entry.Length > maxBytes)
        {
            throw new InvalidDataException($"{_path}: \"{name}\" is larger than {maxBytes} bytes");
        }

        var bytes = new byte[entry.Length];
        await using var stream = new ArchiveEntryStream(_file, entry.Offset, entry.Length);
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>The file <paramref name="name"/> names, streamed from its place in the archive.</summary>
    public Stream OpenRead(string name)
    {
        var entry = Resolve(name);
        return new ArchiveEntryStream(_file, entry.Offset, entry.Length);
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Follows <paramref name="name"/> through the index to a regular file's entry.</summary>
    /// <exception cref="FileNotFoundException">No such file in the archive.</exception>
    /// <exception cref="InvalidDataException">The name or a link on the way leaves the archive, loops, or ends at a folder.</exception>
    private Entry Resolve(string name)
    {
        var pending = new LinkedList<string>(Normalize(name, _path).Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = new List<string>();
        var hops = 0;
        while (pending.First is { } first)
        {
            var part = first.Value;
            pending.RemoveFirst();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count == 0)
                {
                    throw new InvalidDataException($"{_path}: \"{name}\" leads out of the archive");
                }

                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            var here = string.Join('/', resolved.Append(part));
            if (_entries.TryGetValue(here, out var entry) && entry.Kind == Kind.Link)
            {
                if (++hops > MaxLinkHops)
                {
                    throw new InvalidDataException($"{_path}: \"{name}\" goes through more than {MaxLinkHops} links");
                }

                if (entry.LinkTarget!.StartsWith('/'))
                {
                    throw new InvalidDataException($"{_path}: \"{here}\" links to the absolute path \"{entry.LinkTarget}\", outside the archive");
                }

                // The target is read from the link's folder: it takes the place of the link's name.
                foreach (var targetPart in entry.LinkTarget.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.AddFirst(targetPart);
                }

                continue;
            }

            if (pending.Count > 0 && !_folders.Contains(here))
            {
                throw _entries.ContainsKey(here)
                    ? new InvalidDataException($"{_path}: \"{name}\" goes through \"{here}\", which is not a folder")
                    : new FileNotFoundException($"{_path}: no \"{name}\" in the archive");
            }

            resolved.Add(part);
        }

        var path = string.Join('/', resolved);
        return _entries.TryGetValue(path, out var found) && found.Kind == Kind.File
            ? found
            : _folders.Contains(path)
                ? throw new InvalidDataException($"{_path}: \"{name}\" is a folder, not a file")
                : throw new FileNotFoundException($"{_path}: no \"{name}\" in the archive");
    }

    private static async Task<TarEntry?> NextAsync(TarReader tar, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a readable tar archive: {e.Message}", e);
        }
    }

    /// <summary>An entry's or a request's name as the index keys it: relative, without "./" or trailing '/'.</summary>
    private static string Normalize(string name, string path)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (name.StartsWith('/'))
        {
            throw new InvalidDataException($"{path}: \"{name}\" is an absolute name");
        }

        if (parts.Contains(".."))
        {
            throw new InvalidDataException($"{path}: \"{name}\" climbs out of the archive");
        }

        return string.Join('/', parts);
    }

    private sealed record Entry(Kind Kind, long Offset, long Length, string? LinkTarget);
}
