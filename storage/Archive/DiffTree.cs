using System.Buffers;
using System.Text;
using CriO.Storage.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Archive;

/// <summary>
/// A layer's diff directory, held by a descriptor, in which every path is resolved by the
/// kernel as if the directory were "/" (openat2 with RESOLVE_IN_ROOT): a symlink in a parent
/// component, absolute or full of "..", leads somewhere inside the layer or nowhere, never
/// out. This is the policy containers/storage gets by unpacking in a chroot, so a layer that
/// writes through its own symlink ("lib -> usr/lib" then "lib/x.so") lands where podman would
/// put it. The last component of a name is never followed: it is created, replaced or changed
/// with *at calls and O_NOFOLLOW / AT_SYMLINK_NOFOLLOW relative to the parent's descriptor.
/// </summary>
/// <remarks>
/// Parent directory descriptors are kept in a small most-recently-used cache, since tar
/// entries come in directory order. Any removal empties the cache: a descriptor of a
/// directory that was removed, or that was reached through a symlink that was replaced,
/// would otherwise let later entries land in an orphaned or stale place.
/// </remarks>
internal sealed class DiffTree : IDisposable
{
    private const int CacheSize = 16;

    private readonly SafeFd _root;
    private readonly string _rootPath;
    private readonly uint _ownerUid;
    private readonly uint _ownerGid;
    private readonly CacheSlot[] _cache = new CacheSlot[CacheSize];
    private long _clock;

    /// <param name="rootPath">The diff directory on the host; it must exist.</param>
    /// <param name="ownerUid">Owner of parent directories a layer implies without listing them (the layer's root user).</param>
    /// <param name="ownerGid">Their group.</param>
    public DiffTree(string rootPath, uint ownerUid, uint ownerGid)
    {
        _rootPath = rootPath;
        _root = FileTreeCalls.OpenDirectoryPath(rootPath);
        _ownerUid = ownerUid;
        _ownerGid = ownerGid;
        for (var i = 0; i < CacheSize; i++)
        {
            _cache[i] = new CacheSlot();
        }
    }

    /// <summary>The root's descriptor (O_PATH).</summary>
    public SafeFd Root => _root;

    /// <summary>
    /// The directory <paramref name="path"/> (normalized, relative; empty for the root),
    /// created with mode 0755 and the layer's root owner where missing, as containers/storage
    /// creates the parents of an entry. The descriptor belongs to the tree's cache: do not dispose it.
    /// </summary>
    public SafeFd GetDirectory(ReadOnlySpan<byte> path, TarEntry entry)
    {
        if (path.IsEmpty)
        {
            return _root;
        }

        foreach (var slot in _cache)
        {
            if (slot.Descriptor is not null && slot.Key.AsSpan(0, slot.KeyLength).SequenceEqual(path))
            {
                slot.LastUse = ++_clock;
                return slot.Descriptor;
            }
        }

        var error = FileTreeCalls.TryOpenInRoot(_root, path, O_PATH | O_DIRECTORY, out var descriptor);
        if (error == ENOENT)
        {
            descriptor.Dispose();
            descriptor = CreateDirectories(path, entry);
        }
        else if (error != 0)
        {
            descriptor.Dispose();
            throw ResolveError(error, path, entry);
        }

        return Remember(path, descriptor);
    }

    /// <summary>
    /// Opens <paramref name="path"/> inside the root with <paramref name="flags"/> (O_NOFOLLOW applies
    /// to its last component); returns 0 or errno, for callers that handle absence themselves.
    /// </summary>
    public int TryOpen(ReadOnlySpan<byte> path, int flags, out SafeFd descriptor) =>
        FileTreeCalls.TryOpenInRoot(_root, path, flags, out descriptor);

    /// <summary>Adds a directory the caller just created and opened to the cache; the tree owns it from now on.</summary>
    public void Adopt(ReadOnlySpan<byte> path, SafeFd descriptor) => Remember(path, descriptor);

    /// <summary>
    /// Removes whatever <paramref name="name"/> in <paramref name="directory"/> is (a directory
    /// with everything under it), without following symlinks, and forgets cached descriptors.
    /// </summary>
    /// <remarks>Descriptors returned by <see cref="GetDirectory"/> before this call are closed by it: get them again.</remarks>
    public void Remove(SafeFd directory, ReadOnlySpan<byte> name, in FileStatus status, TarEntry entry)
    {
        if (status.IsDirectory)
        {
            RemoveDirectoryContents(directory, name, entry.DisplayName, depth: 0);
        }

        var error = FileTreeCalls.TryUnlinkAt(directory, name, status.IsDirectory);
        if (error != 0 && error != ENOENT)
        {
            throw new LayerFormatException($"cannot remove the existing '{Encoding.UTF8.GetString(name)}' to replace it", entry.DisplayName, FileTreeCalls.Error(error, "unlinkat", Describe(name)));
        }

        if (status.IsDirectory || status.IsSymlink)
        {
            ClearCache();
        }
    }

    /// <summary>A host path for messages.</summary>
    public string Describe(ReadOnlySpan<byte> path) => $"{_rootPath}/{Encoding.UTF8.GetString(path)}";

    public void Dispose()
    {
        ClearCache();
        _root.Dispose();
    }

    private void ClearCache()
    {
        foreach (var slot in _cache)
        {
            slot.Descriptor?.Dispose();
            slot.Descriptor = null;
            slot.KeyLength = 0;
        }
    }

    private SafeFd Remember(ReadOnlySpan<byte> path, SafeFd descriptor)
    {
        var victim = _cache[0];
        foreach (var slot in _cache)
        {
            if (slot.Descriptor is null)
            {
                victim = slot;
                break;
            }

            if (slot.LastUse < victim.LastUse)
            {
                victim = slot;
            }
        }

        victim.Descriptor?.Dispose();
        if (victim.Key.Length < path.Length)
        {
            victim.Key = new byte[Math.Max(path.Length, 256)];
        }

        path.CopyTo(victim.Key);
        victim.KeyLength = path.Length;
        victim.Descriptor = descriptor;
        victim.LastUse = ++_clock;
        return descriptor;
    }

    /// <summary>
    /// Creates the missing directories of <paramref name="path"/> one component at a time. Each
    /// prefix is opened from the root again (a component may be a symlink, which must resolve
    /// inside the root like any other), and a new directory is made in the descriptor of the
    /// prefix before it, so nothing is created outside.
    /// </summary>
    private SafeFd CreateDirectories(ReadOnlySpan<byte> path, TarEntry entry)
    {
        SafeFd? current = null;
        try
        {
            var end = 0;
            while (end < path.Length)
            {
                var slash = path[(end + 1)..].IndexOf((byte)'/');
                end = slash < 0 ? path.Length : end + 1 + slash;
                var prefix = path[..end];
                var error = FileTreeCalls.TryOpenInRoot(_root, prefix, O_PATH | O_DIRECTORY, out var next);
                if (error == ENOENT)
                {
                    next.Dispose();
                    var parent = current ?? _root;
                    var name = LayerPath.Leaf(prefix);
                    error = FileTreeCalls.TryMkdirAt(parent, name, FileStatus.OwnerOnly);
                    if (error == 0)
                    {
                        SetOwnerAndMode(parent, name, prefix, entry);
                    }
                    else if (error != EEXIST)
                    {
                        throw ResolveError(error, prefix, entry);
                    }

                    error = FileTreeCalls.TryOpenInRoot(_root, prefix, O_PATH | O_DIRECTORY, out next);
                    if (error == ENOENT)
                    {
                        next.Dispose();
                        throw new LayerFormatException(
                            $"its parent '{Encoding.UTF8.GetString(prefix)}' is a symbolic link to something that does not exist in the layer", entry.DisplayName);
                    }
                }

                if (error != 0)
                {
                    next.Dispose();
                    throw ResolveError(error, prefix, entry);
                }

                current?.Dispose();
                current = next;
            }

            var result = current!;
            current = null;
            return result;
        }
        finally
        {
            current?.Dispose();
        }
    }

    private void SetOwnerAndMode(SafeFd parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> path, TarEntry entry)
    {
        var error = FileTreeCalls.TryChownAt(parent, name, _ownerUid, _ownerGid);
        if (error == 0)
        {
            // Exact bits whatever the umask.
            error = FileTreeCalls.TryChmodAt(parent, name, FileStatus.PublicDirectory);
        }

        if (error != 0)
        {
            throw new LayerFormatException("cannot set up a parent directory", entry.DisplayName, FileTreeCalls.Error(error, "fchownat/fchmodat", Describe(path)));
        }
    }

    private void RemoveDirectoryContents(SafeFd parent, ReadOnlySpan<byte> name, string entryName, int depth)
    {
        if (depth > 512)
        {
            throw new LayerFormatException("directory tree too deep to replace", entryName);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            // Entries are removed as they are listed. getdents64 carries on from its offset,
            // so the directory is listed again until a pass finds nothing left.
            while (true)
            {
                var error = FileTreeCalls.TryOpenAt(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, out var directory);
                using (directory)
                {
                    if (error != 0)
                    {
                        throw new LayerFormatException("cannot open a directory to replace it", entryName, FileTreeCalls.Error(error, "openat", Describe(name)));
                    }

                    var removed = 0;
                    int read;
                    while ((read = FileTreeCalls.ReadDirectory(directory, buffer, Describe(name))) > 0)
                    {
                        var entries = new FileTreeCalls.DirectoryEntryReader(buffer.AsSpan(0, read));
                        while (entries.MoveNext())
                        {
                            RemoveChild(directory, entries.Name, entries.Type, entryName, depth);
                            removed++;
                        }
                    }

                    if (removed == 0)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void RemoveChild(SafeFd directory, ReadOnlySpan<byte> child, byte type, string entryName, int depth)
    {
        var isDirectory = type == FileTreeCalls.DirentDirectory;
        if (type == FileTreeCalls.DirentUnknown)
        {
            isDirectory = FileTreeCalls.TryStatAt(directory, child, out var status) == 0 && status.IsDirectory;
        }

        if (isDirectory)
        {
            RemoveDirectoryContents(directory, child, entryName, depth + 1);
        }

        var error = FileTreeCalls.TryUnlinkAt(directory, child, isDirectory);
        if (error != 0 && error != ENOENT)
        {
            throw new LayerFormatException("cannot remove a replaced directory's contents", entryName, FileTreeCalls.Error(error, "unlinkat", Describe(child)));
        }
    }

    private LayerFormatException ResolveError(int error, ReadOnlySpan<byte> path, TarEntry entry)
    {
        var what = Encoding.UTF8.GetString(path);
        var reason = error switch
        {
            _ when error == ENOTDIR => $"its parent '{what}' is not a directory",
            _ when error == ELOOP => $"resolving its parent '{what}' meets too many symbolic links (a loop?)",
            _ when error == EXDEV => $"resolving its parent '{what}' crosses a mount point",
            _ when error == ENAMETOOLONG => $"its parent '{what}' has a component that is too long",
            _ when error == ENOSYS => "openat2(2) is not available; layers need Linux 5.6 or later",
            _ => $"cannot resolve its parent '{what}'",
        };
        return new LayerFormatException(reason, entry.DisplayName, FileTreeCalls.Error(error, "openat2", Describe(path)));
    }

    private sealed class CacheSlot
    {
        public byte[] Key { get; set; } = [];

        public int KeyLength { get; set; }

        public SafeFd? Descriptor { get; set; }

        public long LastUse { get; set; }
    }
}
