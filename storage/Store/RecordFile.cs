using CriO.Storage.Locking;
using CriO.Storage.Metadata;

namespace CriO.Storage.Store;

/// <summary>
/// One of containers/storage's JSON record lists (layers.json, images.json, containers.json,
/// mountpoints.json) with the lock file that guards it, following its protocol: take the lock,
/// reload when the lock's last-writer token changed, and on a write record a new token and
/// replace the file atomically.
/// </summary>
/// <remarks>
/// Readers get a snapshot list that is never changed afterwards; a writer always works on a
/// fresh copy read from disk under the exclusive lock and publishes it as the next snapshot.
/// So records handed out to readers are never mutated under them.
/// </remarks>
internal sealed class RecordFile<T>
    where T : class
{
    private readonly LockFile _lock;
    private volatile Snapshot? _snapshot;

    public RecordFile(string jsonPath, string lockPath)
    {
        JsonPath = jsonPath;
        Directory.CreateDirectory(Path.GetDirectoryName(jsonPath)!, StoreDirectories.PrivateMode);
        _lock = LockFile.Open(lockPath);
    }

    public string JsonPath { get; }

    /// <summary>Takes the shared lock and returns the current records (reloaded if another party wrote).</summary>
    public RecordSession<T> OpenShared()
    {
        var held = _lock.LockShared();
        try
        {
            // Reload when never loaded, when the last writer's token changed, or when the file
            // changed without one (a lock file nobody recorded in yet reads as "never written",
            // and containers/storage also goes by layers.json's mtime).
            var modified = held.ModifiedSinceLastSeen(out var token);
            var stamp = FileStamp.Of(JsonPath);
            var snapshot = _snapshot;
            if (snapshot is null || modified || snapshot.Stamp != stamp)
            {
                snapshot = new Snapshot(MetadataFile.Read<T>(JsonPath), stamp);
                _snapshot = snapshot;
                held.MarkSeen(token);
            }

            return new RecordSession<T>(this, held, snapshot.Records, writable: null);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Takes the exclusive lock and returns a fresh, writable copy of the records.</summary>
    public RecordSession<T> OpenExclusive()
    {
        var held = _lock.LockExclusive();
        try
        {
            held.ModifiedSinceLastSeen(out var token);
            var records = MetadataFile.Read<T>(JsonPath);
            held.MarkSeen(token);
            return new RecordSession<T>(this, held, records, records);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    internal void Save(HeldLock held, List<T> records)
    {
        // Token first, then the file: a crash in between costs readers a reload, never a missed change.
        held.RecordWrite();
        MetadataFile.WriteAtomically(JsonPath, records);
        _snapshot = new Snapshot([.. records], FileStamp.Of(JsonPath));
    }

    private sealed record Snapshot(IReadOnlyList<T> Records, FileStamp Stamp);
}
