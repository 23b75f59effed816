using CriO.Storage.Archive;
using CriO.Storage.Metadata;
using CriO.Storage.Overlay;

namespace CriO.Storage.Store;

/// <summary>
/// The layers of the store: layers.json and the overlay driver's folders, tar-split records,
/// and mount counts in the run root's mountpoints.json, all under containers/storage's locks.
/// </summary>
/// <remarks>
/// A layer from a tar is applied into a staging folder first, with no lock held, so long
/// applies (and concurrent pulls) never block other users of the store. Only the commit takes
/// layers.lock: the record is saved flagged incomplete, the driver's folders are made, the
/// staged diff and tar-split are renamed in, and the flag is cleared. A crash at any point
/// leaves either a staging folder (removed at the next start) or an incomplete record (removed
/// by whoever next loads layers.json for writing, podman included).
/// </remarks>
public sealed class LayerStore
{
    private const UnixFileMode BaseDiffMode = (UnixFileMode)0b101_101_101;

    private readonly StoreDirectories _directories;
    private readonly OverlayDriver _driver;
    private readonly RecordFile<LayerRecord> _layers;
    private readonly RecordFile<MountPointRecord> _mounts;
    private readonly TimeProvider _time;

    internal LayerStore(StoreDirectories directories, OverlayDriver driver, TimeProvider time)
    {
        _directories = directories;
        _driver = driver;
        _time = time;
        _layers = new RecordFile<LayerRecord>(directories.LayersJson, directories.LayersLock);
        _mounts = new RecordFile<MountPointRecord>(directories.MountPointsJson, directories.MountPointsLock);
    }

    public OverlayDriver Driver => _driver;

    internal RecordFile<LayerRecord> Records => _layers;

    public IReadOnlyList<LayerRecord> List()
    {
        using var session = _layers.OpenShared();
        return session.Records;
    }

    /// <summary>By ID, name, compressed or uncompressed digest, or unique ID prefix; null when none.</summary>
    public LayerRecord? Find(string reference)
    {
        using var session = _layers.OpenShared();
        return Find(session.Records, reference);
    }

    public LayerRecord Get(string reference) => Find(reference) ?? throw new StoreNotFoundException("layer", reference);

    /// <summary>
    /// Creates a layer on <paramref name="parentId"/> from a layer tar (plain, gzip or zstd).
    /// A layer that is already in the store (same ID) is returned as it is, and nothing is written.
    /// </summary>
    public async Task<LayerRecord> CreateFromTarAsync(Stream layer, string? parentId, LayerCreateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parent = parentId is null ? null : Complete(Get(parentId));
        if (options.Id is { } wanted && Find(wanted) is { IsIncomplete: false } present && present.Id == wanted)
        {
            return present;
        }

        using var staged = await StageAsync(layer, options, cancellationToken).ConfigureAwait(false);
        return CommitStaged(staged, parent?.Id, options);
    }

    /// <summary>
    /// Applies a layer tar into a private staging folder, with no lock held, and checks its
    /// digests against <paramref name="options"/>. Many can run at once (a pull stages all its
    /// layers concurrently); nothing is in the store until <see cref="CommitStaged"/>.
    /// </summary>
    public async Task<StagedLayer> StageAsync(Stream layer, LayerCreateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(options);
        using var activity = StorageActivitySource.Instance.StartActivity("layer apply");
        activity?.SetTag("layer.id", options.Id);
        Directory.CreateDirectory(_directories.Staging, StoreDirectories.PrivateMode);
        var folder = Path.Combine(_directories.Staging, $"{Environment.ProcessId}-{StoreIds.Random()[..16]}");
        Directory.CreateDirectory(folder, StoreDirectories.PrivateMode);
        try
        {
            var diff = Path.Combine(folder, "diff");
            Directory.CreateDirectory(diff);
            File.SetUnixFileMode(diff, BaseDiffMode);
            LayerApplyResult result;
            await using (var tarSplitFile = new FileStream(Path.Combine(folder, "tar-split.gz"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                result = await LayerApplier.ApplyAsync(layer, diff, tarSplitFile, options.Apply, cancellationToken).ConfigureAwait(false);
            }

            Verify("DiffID", options.ExpectedDiffId, result.UncompressedDigest);
            Verify("digest", options.ExpectedCompressedDigest, result.CompressedDigest);
            return new StagedLayer(folder, result);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Moves a staged layer into the store on <paramref name="parentId"/> (which must be there).
    /// A layer with the same ID committed meanwhile (by another pull, ours or podman's) is the
    /// same content: it is returned and the staged copy dropped.
    /// </summary>
    public LayerRecord CommitStaged(StagedLayer staged, string? parentId, LayerCreateOptions options)
    {
        ArgumentNullException.ThrowIfNull(staged);
        ArgumentNullException.ThrowIfNull(options);
        var result = staged.Result;

        // As containers/storage: a child's diff starts with its parent's diff mode. A tar that
        // set its root's mode itself changed it from the 0555 a staging diff starts with.
        if (parentId is not null && File.GetUnixFileMode(staged.Diff) == BaseDiffMode && _driver.Exists(parentId))
        {
            File.SetUnixFileMode(staged.Diff, File.GetUnixFileMode(_driver.DiffDirectory(parentId)));
        }

        var record = new LayerRecord
        {
            Id = options.Id ?? StoreIds.ForLayer(parentId, result.UncompressedDigest),
            Names = options.Names.Count > 0 ? [.. options.Names] : null,
            Parent = parentId,
            Created = GoTimestamp.FromDateTimeOffset(_time.GetUtcNow()),
            CompressedDigest = result.CompressedDigest,
            CompressedSize = result.CompressedSize,
            UncompressedDigest = result.UncompressedDigest,
            UncompressedSize = result.UncompressedSize,
            Compression = result.Compression,
            UidSet = result.Uids.Count > 0 ? [.. result.Uids] : null,
            GidSet = result.Gids.Count > 0 ? [.. result.Gids] : null,
        };
        record.IsPending = options.Pending;
        return Commit(record, staged.Diff, staged.TarSplit);
    }

    /// <summary>Creates an empty layer on <paramref name="parentId"/>: a container's read-write layer.</summary>
    public LayerRecord CreateEmpty(string? id, string? parentId, IReadOnlyList<string> names)
    {
        using var session = _layers.OpenExclusive();
        return CreateEmptyLocked(session, id, parentId, names);
    }

    internal LayerRecord CreateEmptyLocked(RecordSession<LayerRecord> session, string? id, string? parentId, IReadOnlyList<string> names, bool pending = false)
    {
        ArgumentNullException.ThrowIfNull(names);
        var layers = session.Writable;
        id ??= StoreIds.Random();
        if (layers.Any(l => l.Id == id))
        {
            throw new StoreConflictException($"layer {id} already exists");
        }

        if (parentId is not null && !layers.Any(l => l.Id == parentId && !l.IsIncomplete))
        {
            throw new StoreNotFoundException("layer", parentId);
        }

        EnsureNamesFree(layers, names);
        var record = new LayerRecord
        {
            Id = id,
            Names = names.Count > 0 ? [.. names] : null,
            Parent = parentId,
            Created = GoTimestamp.FromDateTimeOffset(_time.GetUtcNow()),
            IsIncomplete = true,
        };
        record.IsPending = pending;
        layers.Add(record);
        session.Save();
        try
        {
            _driver.Create(id, parentId);
            return MarkComplete(session, record);
        }
        catch
        {
            Undo(session, record);
            throw;
        }
    }

    /// <summary>
    /// Deletes a layer that no other layer builds on (whether images or containers still use it
    /// is the store's check). Unmounts it first. Nothing happens for an unknown ID.
    /// </summary>
    public void Delete(string id)
    {
        using var session = _layers.OpenExclusive();
        DeleteLocked(session, id);
    }

    internal void DeleteLocked(RecordSession<LayerRecord> session, string id)
    {
        var layers = session.Writable;
        var record = layers.FirstOrDefault(l => l.Id == id);
        if (record is null)
        {
            return;
        }

        if (layers.FirstOrDefault(l => l.Parent == id) is { } child)
        {
            throw new StoreConflictException($"layer {id} is the parent of layer {child.Id}");
        }

        Unmount(id, force: true);

        // Flagged before the disk work, as containers/storage does: a crash leaves a record to clean, never a stray folder.
        record.IsIncomplete = true;
        session.Save();
        RemoveFiles(id);
        layers.Remove(record);
        session.Save();
    }

    /// <summary>Mounts the layer (read-write for a container's layer) and counts the mount; returns the path.</summary>
    public string Mount(string id, bool readOnly, string? mountLabel = null)
    {
        using var layers = _layers.OpenShared();
        var layer = Complete(Find(layers.Records, id) ?? throw new StoreNotFoundException("layer", id));
        using var session = _mounts.OpenExclusive();
        var mounts = session.Writable;
        var entry = mounts.FirstOrDefault(m => m.Id == layer.Id);
        if (entry is { Count: > 0 } && MountTable.IsMountPoint(entry.Path))
        {
            entry.Count++;
            session.Save();
            return entry.Path;
        }

        // A count without a mount (the kernel lost it, or a reboot without the run root cleared) counts as none.
        var path = _driver.Mount(layer.Id, readOnly, mountLabel);
        if (entry is null)
        {
            entry = new MountPointRecord { Id = layer.Id };
            mounts.Add(entry);
        }

        entry.Path = path;
        entry.Count = 1;
        session.Save();
        return path;
    }

    /// <summary>
    /// Drops one mount of the layer and unmounts it when none is left (all of them with
    /// <paramref name="force"/>). Returns whether the layer is still mounted.
    /// </summary>
    public bool Unmount(string id, bool force = false)
    {
        using var session = _mounts.OpenExclusive();
        var mounts = session.Writable;
        var entry = mounts.FirstOrDefault(m => m.Id == id);
        if (entry is null)
        {
            // Not counted, but perhaps mounted by a crashed process: make sure.
            if (force)
            {
                _driver.Unmount(id);
            }

            return false;
        }

        entry.Count = force ? 0 : entry.Count - 1;
        if (entry.Count <= 0)
        {
            _driver.Unmount(id);
            mounts.Remove(entry);
        }

        session.Save();
        return entry.Count > 0;
    }

    /// <summary>How many times the layer is mounted now (0 when not).</summary>
    public int MountCount(string id)
    {
        using var session = _mounts.OpenShared();
        return session.Records.FirstOrDefault(m => m.Id == id) is { } entry && MountTable.IsMountPoint(entry.Path) ? entry.Count : 0;
    }

    /// <summary>Writes the layer's exact original tar, rebuilt from its tar-split record and its files.</summary>
    public async Task WriteDiffAsync(string id, Stream output, CancellationToken cancellationToken)
    {
        var layer = Complete(Get(id));
        var tarSplit = _directories.TarSplit(layer.Id);
        if (!File.Exists(tarSplit))
        {
            throw new StoreConflictException($"layer {layer.Id} has no tar-split record (a container's layer?): its tar cannot be rebuilt");
        }

        await using var record = File.OpenRead(tarSplit);
        await TarSplitAssembler.WriteTarAsync(record, _driver.DiffDirectory(layer.Id), output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Start-up repair: removes layers left incomplete by a crash (ours or another tool's) and
    /// staging folders of processes that are gone. Returns the IDs of the layers removed.
    /// </summary>
    public IReadOnlyList<string> RemoveLeftovers()
    {
        RemoveStaleStaging();
        using var session = _layers.OpenExclusive();
        var incomplete = session.Writable.Where(l => l.IsIncomplete).ToList();
        foreach (var layer in incomplete)
        {
            Unmount(layer.Id, force: true);
            RemoveFiles(layer.Id);
            session.Writable.Remove(layer);
        }

        if (incomplete.Count > 0)
        {
            session.Save();
        }

        return [.. incomplete.Select(l => l.Id)];
    }

    private LayerRecord Commit(LayerRecord record, string stagedDiff, string stagedTarSplit)
    {
        using var session = _layers.OpenExclusive();
        var layers = session.Writable;
        if (layers.FirstOrDefault(l => l.Id == record.Id) is { } existing)
        {
            if (!existing.IsIncomplete)
            {
                // Another pull (ours or podman's) committed the same layer meanwhile: it is the same content.
                return existing;
            }

            // A crashed writer's leftover under the same ID: ours replaces it.
            RemoveFiles(existing.Id);
            layers.Remove(existing);
        }

        if (record.Parent is not null && !layers.Any(l => l.Id == record.Parent && !l.IsIncomplete))
        {
            throw new StoreNotFoundException("layer", record.Parent);
        }

        EnsureNamesFree(layers, record.Names ?? []);
        record.IsIncomplete = true;
        layers.Add(record);
        session.Save();
        try
        {
            _driver.Create(record.Id, record.Parent);
            var diff = _driver.DiffDirectory(record.Id);
            Directory.Delete(diff);
            Directory.Move(stagedDiff, diff);
            var tarSplit = _directories.TarSplit(record.Id);
            File.Move(stagedTarSplit, tarSplit, overwrite: true);
            File.SetUnixFileMode(tarSplit, MetadataFile.FileMode);
            return MarkComplete(session, record);
        }
        catch
        {
            Undo(session, record);
            throw;
        }
    }

    // The last step of every create: the layer is whole on disk, so its record stops being incomplete.
    private static LayerRecord MarkComplete(RecordSession<LayerRecord> session, LayerRecord record)
    {
        record.IsIncomplete = false;
        record.Flags = record.Flags is { Count: 0 } ? null : record.Flags;
        session.Save();
        return record;
    }

    private void Undo(RecordSession<LayerRecord> session, LayerRecord record)
    {
        RemoveFiles(record.Id);
        session.Writable.Remove(record);
        session.Save();
    }

    private void RemoveFiles(string id)
    {
        _driver.Remove(id);
        File.Delete(_directories.TarSplit(id));
        var bigData = Path.Combine(Path.GetDirectoryName(_directories.LayersJson)!, id);
        if (Directory.Exists(bigData))
        {
            Directory.Delete(bigData, recursive: true);
        }
    }

    private void RemoveStaleStaging()
    {
        if (!Directory.Exists(_directories.Staging))
        {
            return;
        }

        foreach (var folder in Directory.GetDirectories(_directories.Staging))
        {
            var name = Path.GetFileName(folder);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            var alive = dash > 0
                && int.TryParse(name.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && Directory.Exists($"/proc/{pid}");
            if (!alive)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    internal static LayerRecord? Find(IReadOnlyList<LayerRecord> layers, string reference) =>
        RecordLookup.Find(layers, reference, l => l.Id, (l, r) =>
            (l.Names?.Contains(r) ?? false) || l.CompressedDigest == r || l.UncompressedDigest == r);

    private static LayerRecord Complete(LayerRecord layer) =>
        layer.IsIncomplete ? throw new StoreNotFoundException("layer", layer.Id + " (incomplete)") : layer;

    private static void EnsureNamesFree(List<LayerRecord> layers, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (layers.FirstOrDefault(l => l.Names?.Contains(name) ?? false) is { } holder)
            {
                throw new StoreConflictException($"layer name \"{name}\" is taken by layer {holder.Id}");
            }
        }
    }

    private static void Verify(string what, string? expected, string actual)
    {
        if (expected is not null && expected != actual)
        {
            throw new InvalidDataException($"layer {what} mismatch: expected {expected}, got {actual}");
        }
    }
}
