using CriO.Storage.Metadata;
using CriO.Storage.Overlay;

namespace CriO.Storage.Store;

/// <summary>
/// A containers/storage store (graph root + run root, overlay driver): its layers, images and
/// containers, and the operations that span them. Those take the stores' locks together, in
/// containers/storage's order (layers, images, containers), so a concurrent podman, skopeo or
/// second daemon never sees half of one.
/// </summary>
public sealed class ContainerStorage
{
    private readonly TimeProvider _time;

    private ContainerStorage(StoreDirectories directories, TimeProvider time)
    {
        Directories = directories;
        _time = time;
        directories.Create();
        Layers = new LayerStore(directories, new OverlayDriver(directories.GraphRoot), time);
        Images = new ImageStore(directories);
        Containers = new ContainerStore(directories);
    }

    public StoreDirectories Directories { get; }

    public LayerStore Layers { get; }

    public ImageStore Images { get; }

    public ContainerStore Containers { get; }

    /// <summary>
    /// Opens (creating if needed) the store and repairs what a crash may have left: incomplete
    /// layers and staging folders of processes that are gone.
    /// </summary>
    public static ContainerStorage Open(string graphRoot, string runRoot, TimeProvider? time = null)
    {
        var storage = new ContainerStorage(new StoreDirectories(graphRoot, runRoot), time ?? TimeProvider.System);
        storage.RemovedAtOpen = [.. storage.Layers.RemoveLeftovers(), .. storage.SettlePendingLayers()];
        return storage;
    }

    /// <summary>Clears the pending flag of <paramref name="topLayer"/> and its parents: an image owns them now.</summary>
    public void ClearPending(string? topLayer)
    {
        using var layers = Layers.Records.OpenExclusive();
        var changed = false;
        for (var id = topLayer; id is not null;)
        {
            var layer = layers.Writable.FirstOrDefault(l => l.Id == id);
            if (layer is null)
            {
                break;
            }

            changed |= layer.IsPending;
            layer.IsPending = false;
            id = layer.Parent;
        }

        if (changed)
        {
            layers.Save();
        }
    }

    /// <summary>
    /// Start-up repair of pending layers (a pull or an image removal cut off): one that an
    /// image or container uses (or a used layer stands on) keeps its place, its flag cleared;
    /// the others are deleted, children first. Returns the IDs deleted.
    /// </summary>
    private IReadOnlyList<string> SettlePendingLayers()
    {
        using var layers = Layers.Records.OpenExclusive();
        if (!layers.Writable.Any(l => l.IsPending))
        {
            return [];
        }

        using var images = Images.Records.OpenShared();
        using var containers = Containers.Records.OpenShared();
        var byId = layers.Writable.ToDictionary(l => l.Id, StringComparer.Ordinal);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var owners = images.Records.SelectMany(i => (i.MappedTopLayers ?? []).Prepend(i.TopLayer))
            .Concat(containers.Records.Select(c => c.LayerId))
            .Concat(layers.Writable.Where(l => !l.IsPending).Select(l => l.Id));
        foreach (var owner in owners)
        {
            for (var id = owner; id is not null && kept.Add(id);)
            {
                id = byId.TryGetValue(id, out var layer) ? layer.Parent : null;
            }
        }

        foreach (var layer in layers.Writable.Where(l => l.IsPending && kept.Contains(l.Id)))
        {
            layer.IsPending = false;
        }

        layers.Save();
        var unused = layers.Writable.Where(l => l.IsPending && !kept.Contains(l.Id)).ToList();
        var removed = new List<string>();
        while (unused.Count > 0)
        {
            // Leaves first: a layer goes once no other layer stands on it.
            var leaf = unused.First(l => !layers.Writable.Any(c => c.Parent == l.Id));
            Layers.DeleteLocked(layers, leaf.Id);
            unused.Remove(leaf);
            removed.Add(leaf.Id);
        }

        return removed;
    }

    /// <summary>IDs of incomplete (or pending, unused) layers removed when the store was opened.</summary>
    public IReadOnlyList<string> RemovedAtOpen { get; private set; } = [];

    /// <summary>Adds an image record on an existing top layer (its layers come first).</summary>
    public ImageRecord CreateImage(string id, string? topLayer, IReadOnlyList<string> names, GoTimestamp created, string? digest = null, string? metadata = null)
    {
        using var layers = Layers.Records.OpenShared();
        if (topLayer is not null && LayerStore.Find(layers.Records, topLayer) is not { IsIncomplete: false })
        {
            throw new StoreNotFoundException("layer", topLayer);
        }

        return Images.Create(id, topLayer, names, created, digest, metadata);
    }

    /// <summary>
    /// Creates a container on an image (by ID, name, digest or prefix), or on no image when the
    /// reference is null (as containers/storage does for an empty image: a pod's own container
    /// needs only its folders): a read-write layer on the image's top layer, the record, and its
    /// userdata folders. All or nothing.
    /// </summary>
    public ContainerRecord CreateContainer(string? id, IReadOnlyList<string> names, string? imageReference, string? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        id ??= StoreIds.Random();
        using var activity = StorageActivitySource.Instance.StartActivity("storage create container");
        activity?.SetTag("container.id", id);
        using var layers = Layers.Records.OpenExclusive();
        using var images = Images.Records.OpenShared();
        using var containers = Containers.Records.OpenExclusive();
        var image = imageReference is null
            ? null
            : ImageStore.Find(images.Records, imageReference) ?? throw new StoreNotFoundException("image", imageReference);
        if (containers.Writable.Any(c => c.Id == id))
        {
            throw new StoreConflictException($"container {id} already exists");
        }

        foreach (var name in names)
        {
            if (containers.Writable.FirstOrDefault(c => c.Names?.Contains(name) ?? false) is { } holder)
            {
                throw new StoreConflictException($"container name \"{name}\" is taken by container {holder.Id}");
            }
        }

        // Pending until the container record owns it: a stop between the two writes leaves a layer the next open deletes.
        var layer = Layers.CreateEmptyLocked(layers, null, image?.TopLayer, [], pending: true);
        try
        {
            var container = Containers.CreateLocked(containers, id, names, image?.Id ?? "", layer.Id, metadata, GoTimestamp.FromDateTimeOffset(_time.GetUtcNow()));
            layer.IsPending = false;
            layers.Save();
            return container;
        }
        catch
        {
            Layers.DeleteLocked(layers, layer.Id);
            throw;
        }
    }

    /// <summary>Removes a container: unmounts and deletes its layer, its record and folders. Unknown: nothing happens.</summary>
    public void DeleteContainer(string reference)
    {
        using var layers = Layers.Records.OpenExclusive();
        using var containers = Containers.Records.OpenExclusive();
        var container = ContainerStore.Find(containers.Writable, reference);
        if (container is null)
        {
            return;
        }

        Layers.DeleteLocked(layers, container.LayerId);
        Containers.DeleteLocked(containers, container);
    }

    /// <summary>
    /// Removes an image (by ID, name, digest or unique ID prefix) with all its names, refused
    /// while a container uses it, then each of its layers from the top down as long as no other
    /// image or layer needs it. Returns the IDs of the layers removed.
    /// </summary>
    /// <exception cref="StoreNotFoundException">No image answers to <paramref name="reference"/> (any more).</exception>
    public IReadOnlyList<string> DeleteImage(string reference)
    {
        using var layers = Layers.Records.OpenExclusive();
        using var images = Images.Records.OpenExclusive();
        using var containers = Containers.Records.OpenShared();
        var image = ImageStore.Find(images.Writable, reference) ?? throw new StoreNotFoundException("image", reference);
        return DeleteImageLocked(layers, images, containers, image);
    }

    /// <summary>
    /// Takes one name off the image that holds it, as containers/image untags for CRI-O: while
    /// the image has another name, only this one goes; as its last name, the image goes with it
    /// (<see cref="DeleteImage"/>). The two cases are told apart under the stores' locks, so
    /// concurrent removals of an image's two names cannot both take just a name and leave an
    /// image with none. Returns false when no image has the name (it is gone already).
    /// </summary>
    public bool UntagImage(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        using var layers = Layers.Records.OpenExclusive();
        using var images = Images.Records.OpenExclusive();
        using var containers = Containers.Records.OpenShared();
        var image = images.Writable.FirstOrDefault(i => i.Names?.Contains(name) ?? false);
        if (image is null)
        {
            return false;
        }

        if (image.Names!.Count > 1)
        {
            ImageStore.RemoveNamesLocked(images, image, [name]);
        }
        else
        {
            DeleteImageLocked(layers, images, containers, image);
        }

        return true;
    }

    // Needs layers.lock and images.lock exclusive and containers.lock shared.
    private IReadOnlyList<string> DeleteImageLocked(
        RecordSession<LayerRecord> layers, RecordSession<ImageRecord> images, RecordSession<ContainerRecord> containers, ImageRecord image)
    {
        if (containers.Records.FirstOrDefault(c => c.ImageId == image.Id) is { } user)
        {
            throw new StoreConflictException($"image {image.Id} is in use by container {user.Id}{(user.Names is { Count: > 0 } ? $" ({user.Names[0]})" : "")}");
        }

        // The layers only this image uses, top first.
        var doomed = new List<LayerRecord>();
        for (var layerId = image.TopLayer; layerId is not null;)
        {
            var layer = layers.Writable.FirstOrDefault(l => l.Id == layerId);
            var stillNeeded = layer is null
                || images.Writable.Any(i => i.Id != image.Id && (i.TopLayer == layerId || (i.MappedTopLayers?.Contains(layerId) ?? false)))
                || layers.Writable.Any(l => l.Parent == layerId && !doomed.Any(d => d.Id == l.Id));
            if (stillNeeded)
            {
                break;
            }

            doomed.Add(layer!);
            layerId = layer!.Parent;
        }

        // Flagged before the image goes: a process stopped between the two writes leaves layers
        // the next open can tell apart (pending, owned by nobody) and delete.
        if (doomed.Count > 0)
        {
            doomed.ForEach(l => l.IsPending = true);
            layers.Save();
        }

        Images.DeleteLocked(images, image);
        foreach (var layer in doomed)
        {
            Layers.DeleteLocked(layers, layer.Id);
        }

        return [.. doomed.Select(l => l.Id)];
    }

    /// <summary>Mounts a container's layer read-write and returns its root file system path.</summary>
    public string MountContainer(string reference, string? mountLabel = null) =>
        Layers.Mount(Containers.Get(reference).LayerId, readOnly: false, mountLabel);

    /// <summary>Drops one mount of the container's layer; returns whether it is still mounted.</summary>
    public bool UnmountContainer(string reference, bool force = false) =>
        Layers.Unmount(Containers.Get(reference).LayerId, force);
}
