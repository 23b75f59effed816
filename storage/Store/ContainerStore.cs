using CriO.Storage.Metadata;

namespace CriO.Storage.Store;

/// <summary>
/// The containers of the store: containers.json under containers.lock, and each container's
/// userdata folders in the graph root (persistent) and the run root (volatile).
/// </summary>
public sealed class ContainerStore
{
    private readonly StoreDirectories _directories;
    private readonly RecordFile<ContainerRecord> _containers;

    internal ContainerStore(StoreDirectories directories)
    {
        _directories = directories;
        _containers = new RecordFile<ContainerRecord>(directories.ContainersJson, directories.ContainersLock);
    }

    internal RecordFile<ContainerRecord> Records => _containers;

    public IReadOnlyList<ContainerRecord> List()
    {
        using var session = _containers.OpenShared();
        return session.Records;
    }

    /// <summary>By ID, name, layer ID, or unique ID prefix; null when none.</summary>
    public ContainerRecord? Find(string reference)
    {
        using var session = _containers.OpenShared();
        return Find(session.Records, reference);
    }

    public ContainerRecord Get(string reference) => Find(reference) ?? throw new StoreNotFoundException("container", reference);

    public void SetMetadata(string reference, string metadata)
    {
        using var session = _containers.OpenExclusive();
        var container = Find(session.Writable, reference) ?? throw new StoreNotFoundException("container", reference);
        container.Metadata = metadata;
        session.Save();
    }

    internal ContainerRecord CreateLocked(RecordSession<ContainerRecord> session, string id, IReadOnlyList<string> names, string imageId, string layerId, string? metadata, GoTimestamp created)
    {
        var record = new ContainerRecord
        {
            Id = id,
            Names = names.Count > 0 ? [.. names] : null,
            ImageId = imageId,
            LayerId = layerId,
            Metadata = metadata,
            Created = created,
        };
        var (graph, run) = _directories.ContainerUserData(id);
        Directory.CreateDirectory(graph, StoreDirectories.PrivateMode);
        Directory.CreateDirectory(run, StoreDirectories.PrivateMode);
        session.Writable.Add(record);
        session.Save();
        return record;
    }

    internal void DeleteLocked(RecordSession<ContainerRecord> session, ContainerRecord container)
    {
        session.Writable.Remove(container);
        session.Save();
        foreach (var directory in new[] { _directories.ContainerDirectory(container.Id), Path.Combine(_directories.RunRoot, "overlay-containers", container.Id) })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    internal static ContainerRecord? Find(IReadOnlyList<ContainerRecord> containers, string reference) =>
        RecordLookup.Find(containers, reference, c => c.Id, (c, r) => (c.Names?.Contains(r) ?? false) || c.LayerId == r);
}
