using System.Formats.Tar;
using System.Text;
using CriO.Storage.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Archive;

/// <summary>
/// Turns tar entries into the contents of an overlay "diff" directory the way containers/storage's
/// overlay driver does (pkg/archive Unpack and createTarFile with the overlay whiteout
/// converter), through a <see cref="DiffTree"/> so that nothing outside the directory is touched:
/// <list type="bullet">
/// <item>owner, then mode (chown clears setuid bits), then times, then xattrs, on every entry;
/// directory times again at the end, once their contents are written;</item>
/// <item>".wh.NAME" becomes a 0:0 character device NAME owned like the whiteout entry;
/// ".wh..wh..opq" marks its directory opaque (trusted.overlay.opaque=y); other ".wh..wh."
/// entries (AUFS bookkeeping such as .wh..wh.plnk) are skipped;</item>
/// <item>an entry whose name resolves to the layer root is skipped, as containers/storage does;</item>
/// <item>a directory over a directory only updates its metadata; otherwise, when
/// <c>replaceExisting</c>, a later entry replaces an earlier one at the same path, and when
/// not (a tar-split is being recorded) that is an error: the replaced content could not be
/// read back to rebuild the tar. containers/storage refuses those layers too, through
/// tar-split's duplicate check or an EEXIST.</item>
/// </list>
/// </summary>
internal sealed class DiffWriter : IDisposable
{
    private const string OpaqueXattr = "trusted.overlay.opaque";

    private readonly DiffTree _tree;
    private readonly uint _uidOffset;
    private readonly uint _gidOffset;
    private readonly bool _replaceExisting;
    private readonly byte[] _path = new byte[TarEntry.MaxNameBytes + 1];
    private readonly byte[] _linkPath = new byte[TarEntry.MaxNameBytes + 1];
    private readonly List<(byte[] Path, TarTime Access, TarTime Modify)> _directoryTimes = [];
    private SafeFd? _file;
    private TarEntry? _fileEntry;

    public DiffWriter(string diffDirectory, uint uidOffset, uint gidOffset, bool replaceExisting)
    {
        _uidOffset = uidOffset;
        _gidOffset = gidOffset;
        _replaceExisting = replaceExisting;
        _tree = new DiffTree(diffDirectory, uidOffset, gidOffset);
    }

    /// <summary>
    /// Applies <paramref name="entry"/> except for its content. True when the entry is a regular
    /// file now open for <see cref="WriteContent"/> and <see cref="EndFile"/>; false when its
    /// content (if any) is to be read and dropped.
    /// </summary>
    public bool Begin(TarEntry entry)
    {
        if (entry.Type == TarEntryType.GlobalExtendedAttributes)
        {
            return false;
        }

        var length = LayerPath.Normalize(entry.Name, _path);
        if (length < 0)
        {
            throw new LayerFormatException("the name climbs out of the layer with '..'", entry.DisplayName);
        }

        if (length == 0)
        {
            return false;
        }

        var path = _path.AsSpan(0, length);
        var leaf = LayerPath.Leaf(path);
        if (IsAufsMetadata(leaf))
        {
            return false;
        }

        if (leaf.SequenceEqual(".wh..wh..opq"u8))
        {
            MarkOpaque(LayerPath.Parent(path), entry);
            return false;
        }

        if (leaf.StartsWith(".wh."u8))
        {
            CreateWhiteout(LayerPath.Parent(path), leaf[4..], entry);
            return false;
        }

        switch (entry.Type)
        {
            case TarEntryType.RegularFile:
            case TarEntryType.ContiguousFile:
                OpenFile(path, entry);
                return true;
            case TarEntryType.Directory:
                CreateDirectory(path, entry);
                return false;
            case TarEntryType.SymbolicLink:
                CreateSymlink(path, entry);
                return false;
            case TarEntryType.HardLink:
                CreateHardLink(path, entry);
                return false;
            case TarEntryType.CharacterDevice:
            case TarEntryType.BlockDevice:
            case TarEntryType.Fifo:
                CreateNode(path, entry);
                return false;
            default:
                throw new LayerFormatException($"unsupported tar entry type '{(char)entry.Type}'", entry.DisplayName);
        }
    }

    /// <summary>Writes the next piece of the open regular file's content.</summary>
    public void WriteContent(ReadOnlySpan<byte> content)
    {
        var error = FileTreeCalls.TryWriteAll(_file!, content);
        if (error != 0)
        {
            throw new IOException($"write of layer entry '{_fileEntry!.DisplayName}': {FileTreeCalls.Describe(error)}", error);
        }
    }

    /// <summary>Sets the open regular file's owner, mode, times and xattrs, and closes it.</summary>
    public void EndFile()
    {
        var entry = _fileEntry!;
        using var file = _file!;
        _file = null;
        _fileEntry = null;
        var (uid, gid) = HostIds(entry);
        Check(FileTreeCalls.TryChownAt(file, default, uid, gid), "fchown", entry);
        Check(FileTreeCalls.TryChmod(file, (uint)(entry.Mode & FileStatus.PermissionBits)), "fchmod", entry);
        var (access, modify) = Times(entry);
        Check(FileTreeCalls.TrySetTimesAt(file, default, access.Seconds, access.Nanoseconds, modify.Seconds, modify.Nanoseconds), "futimens", entry);
        SetXattrs(entry, file, default, openable: true);
    }

    /// <summary>
    /// Sets directory times (after everything inside them was written, which changed them) and,
    /// with <paramref name="sync"/>, flushes the file system.
    /// </summary>
    public void Complete(bool sync)
    {
        foreach (var (path, access, modify) in _directoryTimes)
        {
            // A directory replaced later by something else keeps no times of its own to set.
            if (_tree.TryOpen(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, out var directory) == 0)
            {
                using (directory)
                {
                    var error = FileTreeCalls.TrySetTimesAt(directory, default, access.Seconds, access.Nanoseconds, modify.Seconds, modify.Nanoseconds);
                    if (error != 0)
                    {
                        throw FileTreeCalls.Error(error, "futimens", _tree.Describe(path));
                    }
                }
            }
            else
            {
                directory.Dispose();
            }
        }

        _directoryTimes.Clear();
        if (sync)
        {
            var error = FileTreeCalls.TryOpenAt(_tree.Root, "."u8, O_RDONLY | O_DIRECTORY, 0, out var root);
            using (root)
            {
                if (error != 0)
                {
                    throw FileTreeCalls.Error(error, "openat", _tree.Describe(default));
                }

                FileTreeCalls.SyncFileSystem(root, _tree.Describe(default));
            }
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _tree.Dispose();
    }

    /// <summary>
    /// AUFS bookkeeping entries (".wh..wh.plnk", ".wh..wh.aufs", ...) other than the opaque
    /// marker. containers/storage turns them into bogus whiteout devices; they are skipped here.
    /// Entries under such a directory are applied like any other, as containers/storage does.
    /// </summary>
    private static bool IsAufsMetadata(ReadOnlySpan<byte> leaf) => leaf.StartsWith(".wh..wh."u8) && !leaf.SequenceEqual(".wh..wh..opq"u8);

    private static (TarTime Access, TarTime Modify) Times(TarEntry entry)
    {
        // containers/storage never sets an access time before the modification time (a missing
        // one counts as before), and sets times before the epoch to the epoch.
        var modify = entry.ModificationTime;
        var access = entry.AccessTime is { } a ? TarTime.Max(a, modify) : modify;
        return (access.ClampToEpoch(), modify.ClampToEpoch());
    }

    private static void Check(int error, string call, TarEntry entry)
    {
        if (error != 0)
        {
            throw new IOException($"{call} of layer entry '{entry.DisplayName}': {FileTreeCalls.Describe(error)}", error);
        }
    }

    private (uint Uid, uint Gid) HostIds(TarEntry entry)
    {
        var uid = entry.Uid + (long)_uidOffset;
        var gid = entry.Gid + (long)_gidOffset;
        if (entry.Uid < 0 || entry.Gid < 0 || uid >= uint.MaxValue || gid >= uint.MaxValue)
        {
            throw new LayerFormatException($"owner {entry.Uid}:{entry.Gid} cannot be mapped to a host uid:gid", entry.DisplayName);
        }

        return ((uint)uid, (uint)gid);
    }

    private void OpenFile(ReadOnlySpan<byte> path, TarEntry entry)
    {
        var parentPath = LayerPath.Parent(path);
        var leaf = LayerPath.Leaf(path);
        _ = HostIds(entry);
        var parent = _tree.GetDirectory(parentPath, entry);
        var error = FileTreeCalls.TryOpenAt(parent, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, FileStatus.OwnerReadWrite, out var file);
        if (error == EEXIST)
        {
            file.Dispose();
            parent = ReplaceExisting(parentPath, leaf, entry);
            error = FileTreeCalls.TryOpenAt(parent, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, FileStatus.OwnerReadWrite, out file);
        }

        if (error != 0)
        {
            file.Dispose();
            throw CreateError(error, "openat", path, entry);
        }

        _file = file;
        _fileEntry = entry;
    }

    private void CreateDirectory(ReadOnlySpan<byte> path, TarEntry entry)
    {
        var parentPath = LayerPath.Parent(path);
        var leaf = LayerPath.Leaf(path);
        var (uid, gid) = HostIds(entry);
        var parent = _tree.GetDirectory(parentPath, entry);
        var error = FileTreeCalls.TryMkdirAt(parent, leaf, FileStatus.OwnerOnly);
        if (error == EEXIST)
        {
            error = FileTreeCalls.TryStatAt(parent, leaf, out var existing);
            if (error == 0 && !existing.IsDirectory)
            {
                parent = ReplaceExisting(parentPath, leaf, entry);
                error = FileTreeCalls.TryMkdirAt(parent, leaf, FileStatus.OwnerOnly);
            }
        }

        if (error != 0)
        {
            throw CreateError(error, "mkdirat", path, entry);
        }

        error = FileTreeCalls.TryOpenAt(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, out var directory);
        if (error != 0)
        {
            directory.Dispose();
            throw CreateError(error, "openat", path, entry);
        }

        _tree.Adopt(path, directory);
        Check(FileTreeCalls.TryChownAt(directory, default, uid, gid), "fchown", entry);
        Check(FileTreeCalls.TryChmod(directory, (uint)(entry.Mode & FileStatus.PermissionBits)), "fchmod", entry);
        SetXattrs(entry, directory, default, openable: true);
        var (access, modify) = Times(entry);
        _directoryTimes.Add((path.ToArray(), access, modify));
    }

    private void CreateSymlink(ReadOnlySpan<byte> path, TarEntry entry)
    {
        var parentPath = LayerPath.Parent(path);
        var leaf = LayerPath.Leaf(path);
        var (uid, gid) = HostIds(entry);
        var parent = _tree.GetDirectory(parentPath, entry);

        // The target is stored as given and never resolved here: absolute and ".." targets are
        // normal in images, and they mean the container's root once mounted.
        var error = FileTreeCalls.TrySymlinkAt(entry.LinkName, parent, leaf);
        if (error == EEXIST)
        {
            parent = ReplaceExisting(parentPath, leaf, entry);
            error = FileTreeCalls.TrySymlinkAt(entry.LinkName, parent, leaf);
        }

        if (error != 0)
        {
            throw CreateError(error, "symlinkat", path, entry);
        }

        SetMetadataAt(parent, leaf, entry, uid, gid, chmod: false, times: true);
    }

    private void CreateHardLink(ReadOnlySpan<byte> path, TarEntry entry)
    {
        var parentPath = LayerPath.Parent(path);
        var leaf = LayerPath.Leaf(path);
        var (uid, gid) = HostIds(entry);
        var targetLength = LayerPath.Normalize(entry.LinkName, _linkPath);
        if (targetLength < 0)
        {
            throw new LayerFormatException($"the hardlink target '{Encoding.UTF8.GetString(entry.LinkName)}' climbs out of the layer with '..'", entry.DisplayName);
        }

        var target = _linkPath.AsSpan(0, targetLength);
        if (targetLength == 0 || target.SequenceEqual(path))
        {
            throw new LayerFormatException($"invalid hardlink target '{Encoding.UTF8.GetString(entry.LinkName)}'", entry.DisplayName);
        }

        // The target is looked up inside the layer like any name: "/etc/passwd" is the layer's
        // etc/passwd, which must have come earlier in this layer.
        var parent = _tree.GetDirectory(parentPath, entry);
        var error = _tree.TryOpen(LayerPath.Parent(target), O_PATH | O_DIRECTORY, out var targetParent);
        using (targetParent)
        {
            if (error == 0)
            {
                error = FileTreeCalls.TryLinkAt(targetParent, LayerPath.Leaf(target), parent, leaf);
                if (error == EEXIST)
                {
                    parent = ReplaceExisting(parentPath, leaf, entry);
                    error = FileTreeCalls.TryLinkAt(targetParent, LayerPath.Leaf(target), parent, leaf);
                }
            }
        }

        if (error == ENOENT || error == ENOTDIR || error == ELOOP)
        {
            throw new LayerFormatException(
                $"the hardlink target '{Encoding.UTF8.GetString(entry.LinkName)}' does not exist earlier in this layer", entry.DisplayName, FileTreeCalls.Error(error, "linkat", _tree.Describe(target)));
        }

        if (error != 0)
        {
            throw new LayerFormatException(
                $"cannot hardlink to '{Encoding.UTF8.GetString(entry.LinkName)}'", entry.DisplayName, FileTreeCalls.Error(error, "linkat", _tree.Describe(target)));
        }

        // containers/storage applies the link entry's owner, mode and times to the shared
        // inode, except mode and times when the target is a symlink. It chowns even when the
        // owner is unchanged, and the kernel drops security.capability on every chown, so a
        // capability set on the first name would vanish; here the owner is only changed when
        // it differs.
        error = FileTreeCalls.TryStatAt(parent, leaf, out var linked);
        Check(error, "fstatat", entry);
        SetMetadataAt(parent, leaf, entry, uid, gid, chmod: !linked.IsSymlink, times: !linked.IsSymlink, chown: linked.Uid != uid || linked.Gid != gid);
    }

    private void CreateNode(ReadOnlySpan<byte> path, TarEntry entry)
    {
        var parentPath = LayerPath.Parent(path);
        var leaf = LayerPath.Leaf(path);
        var (uid, gid) = HostIds(entry);
        var type = entry.Type switch
        {
            TarEntryType.CharacterDevice => FileStatus.CharacterDevice,
            TarEntryType.BlockDevice => FileStatus.BlockDevice,
            _ => FileStatus.Fifo,
        };
        if (entry.DeviceMajor is < 0 or > uint.MaxValue || entry.DeviceMinor is < 0 or > uint.MaxValue)
        {
            throw new LayerFormatException($"invalid device number {entry.DeviceMajor}:{entry.DeviceMinor}", entry.DisplayName);
        }

        var major = type == FileStatus.Fifo ? 0 : (uint)entry.DeviceMajor;
        var minor = type == FileStatus.Fifo ? 0 : (uint)entry.DeviceMinor;
        var parent = _tree.GetDirectory(parentPath, entry);
        var error = FileTreeCalls.TryMknodAt(parent, leaf, type | FileStatus.OwnerReadWrite, major, minor);
        if (error == EEXIST)
        {
            parent = ReplaceExisting(parentPath, leaf, entry);
            error = FileTreeCalls.TryMknodAt(parent, leaf, type | FileStatus.OwnerReadWrite, major, minor);
        }

        if (error != 0)
        {
            throw CreateError(error, "mknodat", path, entry);
        }

        SetMetadataAt(parent, leaf, entry, uid, gid, chmod: true, times: true);
    }

    /// <summary>overlay's whiteout: a character device 0:0, mode 0, owned like the whiteout entry.</summary>
    private void CreateWhiteout(ReadOnlySpan<byte> parentPath, ReadOnlySpan<byte> name, TarEntry entry)
    {
        if (name.IsEmpty || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
        {
            throw new LayerFormatException("invalid whiteout name", entry.DisplayName);
        }

        var (uid, gid) = HostIds(entry);
        var parent = _tree.GetDirectory(parentPath, entry);
        var error = FileTreeCalls.TryMknodAt(parent, name, FileStatus.CharacterDevice, 0, 0);
        if (error == EEXIST)
        {
            parent = ReplaceExisting(parentPath, name, entry);
            error = FileTreeCalls.TryMknodAt(parent, name, FileStatus.CharacterDevice, 0, 0);
        }

        if (error != 0)
        {
            throw new LayerFormatException("cannot create the whiteout", entry.DisplayName, FileTreeCalls.Error(error, "mknodat", _tree.Describe(name)));
        }

        Check(FileTreeCalls.TryChownAt(parent, name, uid, gid), "fchownat", entry);
    }

    private void MarkOpaque(ReadOnlySpan<byte> directoryPath, TarEntry entry)
    {
        var parent = _tree.GetDirectory(directoryPath, entry);
        var error = FileTreeCalls.TryOpenAt(parent, "."u8, O_RDONLY | O_DIRECTORY, 0, out var directory);
        using (directory)
        {
            Check(error, "openat", entry);
            Check(FileTreeCalls.TrySetXattr(directory, Encoding.ASCII.GetBytes(OpaqueXattr), "y"u8), "fsetxattr " + OpaqueXattr, entry);
        }
    }

    /// <summary>Removes what is at <paramref name="leaf"/> so an entry can take its place; returns the parent's descriptor anew.</summary>
    private SafeFd ReplaceExisting(ReadOnlySpan<byte> parentPath, ReadOnlySpan<byte> leaf, TarEntry entry)
    {
        var parent = _tree.GetDirectory(parentPath, entry);
        var error = FileTreeCalls.TryStatAt(parent, leaf, out var existing);
        if (error == 0)
        {
            if (!_replaceExisting)
            {
                throw new LayerFormatException(
                    $"'{Encoding.UTF8.GetString(leaf)}' already exists: the layer writes one path twice, which its tar-split could not reproduce", entry.DisplayName);
            }

            _tree.Remove(parent, leaf, existing, entry);
        }
        else if (error != ENOENT)
        {
            Check(error, "fstatat", entry);
        }

        return _tree.GetDirectory(parentPath, entry);
    }

    private void SetMetadataAt(SafeFd parent, ReadOnlySpan<byte> leaf, TarEntry entry, uint uid, uint gid, bool chmod, bool times, bool chown = true)
    {
        if (chown)
        {
            Check(FileTreeCalls.TryChownAt(parent, leaf, uid, gid), "fchownat", entry);
        }

        if (chmod)
        {
            // Only names just created here (not symlinks) get here, so following is harmless.
            Check(FileTreeCalls.TryChmodAt(parent, leaf, (uint)(entry.Mode & FileStatus.PermissionBits)), "fchmodat", entry);
        }

        if (times)
        {
            var (access, modify) = Times(entry);
            Check(FileTreeCalls.TrySetTimesAt(parent, leaf, access.Seconds, access.Nanoseconds, modify.Seconds, modify.Nanoseconds), "utimensat", entry);
        }

        SetXattrs(entry, parent, leaf, openable: false);
    }

    /// <summary>
    /// The entry's SCHILY.xattr records, on <paramref name="target"/> itself when
    /// <paramref name="openable"/> (an open file or directory), else on <paramref name="leaf"/> in it.
    /// security.selinux is left to the runtime's labelling, as containers/storage does; overlay's
    /// own trusted.overlay.* and user.overlay.* attributes could redirect lookups or fake
    /// opaqueness, so a layer may not set them directly. A file system without xattr support, or
    /// the kernel refusing user.* on a symlink or device, is not an error.
    /// </summary>
    private static void SetXattrs(TarEntry entry, SafeFd target, ReadOnlySpan<byte> leaf, bool openable)
    {
        for (var i = 0; i < entry.XattrCount; i++)
        {
            var name = entry.GetXattrName(i);
            var value = entry.GetXattrValue(i);
            if (name.SequenceEqual("security.selinux"u8) || name.StartsWith("trusted.overlay."u8) || name.StartsWith("user.overlay."u8))
            {
                continue;
            }

            var error = openable ? FileTreeCalls.TrySetXattr(target, name, value) : FileTreeCalls.TrySetXattrAt(target, leaf, name, value);
            if (error == 0 || error == EOPNOTSUPP || error == ENOTSUP || (error == EPERM && !openable && name.StartsWith("user."u8)))
            {
                continue;
            }

            throw new LayerFormatException($"cannot set xattr '{Encoding.UTF8.GetString(name)}'", entry.DisplayName, FileTreeCalls.Error(error, "setxattr", entry.DisplayName));
        }
    }

    private Exception CreateError(int error, string call, ReadOnlySpan<byte> path, TarEntry entry)
    {
        var inner = FileTreeCalls.Error(error, call, _tree.Describe(path));
        return error == ENAMETOOLONG || error == EINVAL
            ? new LayerFormatException("invalid name", entry.DisplayName, inner)
            : new IOException($"layer entry '{entry.DisplayName}': {inner.Message}", inner);
    }
}
