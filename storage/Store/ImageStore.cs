using System.Security.Cryptography;
using CriO.Storage.Metadata;

namespace CriO.Storage.Store;

/// <summary>
/// The images of the store: images.json and each image's big data items (manifest, config,
/// signatures) in overlay-images/ID/, under images.lock. A name belongs to one image at a time.
/// </summary>
public sealed class ImageStore
{
    private readonly StoreDirectories _directories;
    private readonly RecordFile<ImageRecord> _images;

    internal ImageStore(StoreDirectories directories)
    {
        _directories = directories;
        _images = new RecordFile<ImageRecord>(directories.ImagesJson, directories.ImagesLock);
    }

    internal RecordFile<ImageRecord> Records => _images;

    public IReadOnlyList<ImageRecord> List()
    {
        using var session = _images.OpenShared();
        return session.Records;
    }

    /// <summary>By ID, name, manifest digest, or unique ID prefix; null when none.</summary>
    public ImageRecord? Find(string reference)
    {
        using var session = _images.OpenShared();
        return Find(session.Records, reference);
    }

    public ImageRecord Get(string reference) => Find(reference) ?? throw new StoreNotFoundException("image", reference);

    /// <summary>Adds an image record; its ID and names must be free (use <see cref="AddNames"/> to move names).</summary>
    public ImageRecord Create(string id, string? topLayer, IReadOnlyList<string> names, GoTimestamp created, string? digest = null, string? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (!StoreIds.IsValid(id))
        {
            throw new ArgumentException($"not an image ID: \"{id}\"", nameof(id));
        }

        using var session = _images.OpenExclusive();
        var images = session.Writable;
        if (Conflict(images, id, names) is { } conflict)
        {
            // Thrown once the lock is released: a caller's exception filter runs before this
            // method's using block would release it, and one that reads the store (a concurrent
            // pull checking who won) would then wait on our own lock forever.
            session.Dispose();
            throw new StoreConflictException(conflict);
        }

        var record = new ImageRecord
        {
            Id = id,
            Digest = digest,
            Names = names.Count > 0 ? [.. names.Distinct()] : null,
            NamesHistory = names.Count > 0 ? [.. names.Distinct()] : null,
            TopLayer = topLayer,
            Metadata = metadata,
            Created = created,
        };
        images.Add(record);
        Directory.CreateDirectory(_directories.ImageDirectory(id), StoreDirectories.PrivateMode);
        session.Save();
        return record;
    }

    private static string? Conflict(List<ImageRecord> images, string id, IReadOnlyList<string> names)
    {
        if (images.Any(i => i.Id == id))
        {
            return $"image {id} already exists";
        }

        foreach (var name in names)
        {
            if (images.FirstOrDefault(i => i.Names?.Contains(name) ?? false) is { } holder)
            {
                return $"image name \"{name}\" is taken by image {holder.Id}";
            }
        }

        return null;
    }

    /// <summary>Gives the image these names, taking each away from any other image that had it.</summary>
    public void AddNames(string reference, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        using var session = _images.OpenExclusive();
        var image = Find(session.Writable, reference) ?? throw new StoreNotFoundException("image", reference);
        foreach (var name in names.Distinct())
        {
            foreach (var other in session.Writable.Where(i => i != image && (i.Names?.Contains(name) ?? false)))
            {
                other.Names!.Remove(name);
                other.Names = other.Names.Count > 0 ? other.Names : null;
            }

            image.Names ??= [];
            if (!image.Names.Contains(name))
            {
                image.Names.Add(name);
            }

            // Newest first, each name once.
            image.NamesHistory ??= [];
            image.NamesHistory.Remove(name);
            image.NamesHistory.Insert(0, name);
        }

        session.Save();
    }

    public void RemoveNames(string reference, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        using var session = _images.OpenExclusive();
        var image = Find(session.Writable, reference) ?? throw new StoreNotFoundException("image", reference);
        RemoveNamesLocked(session, image, names);
    }

    internal static void RemoveNamesLocked(RecordSession<ImageRecord> session, ImageRecord image, IReadOnlyList<string> names)
    {
        image.Names?.RemoveAll(names.Contains);
        image.Names = image.Names is { Count: > 0 } ? image.Names : null;
        session.Save();
    }

    public void SetMetadata(string reference, string metadata)
    {
        using var session = _images.OpenExclusive();
        var image = Find(session.Writable, reference) ?? throw new StoreNotFoundException("image", reference);
        image.Metadata = metadata;
        session.Save();
    }

    /// <summary>
    /// Stores a big data item (written atomically, then recorded with its size and digest). A
    /// manifest's digest is the manifest digest, which is the sha256 of its bytes.
    /// </summary>
    public void SetBigData(string reference, string key, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var session = _images.OpenExclusive();
        var image = Find(session.Writable, reference) ?? throw new StoreNotFoundException("image", reference);
        var directory = _directories.ImageDirectory(image.Id);
        Directory.CreateDirectory(directory, StoreDirectories.PrivateMode);
        MetadataFile.WriteAtomically(Path.Combine(directory, BigDataFileName.For(key)), data);
        image.BigDataNames ??= [];
        if (!image.BigDataNames.Contains(key))
        {
            image.BigDataNames.Add(key);
        }

        (image.BigDataSizes ??= new(StringComparer.Ordinal))[key] = data.Length;
        (image.BigDataDigests ??= new(StringComparer.Ordinal))[key] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
        session.Save();
    }

    public byte[] GetBigData(string reference, string key)
    {
        var image = Get(reference);
        var path = Path.Combine(_directories.ImageDirectory(image.Id), BigDataFileName.For(key));
        return File.Exists(path) ? File.ReadAllBytes(path) : throw new StoreNotFoundException($"big data item of image {image.Id}", key);
    }

    internal void DeleteLocked(RecordSession<ImageRecord> session, ImageRecord image)
    {
        session.Writable.Remove(image);
        session.Save();
        var directory = _directories.ImageDirectory(image.Id);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static ImageRecord? Find(IReadOnlyList<ImageRecord> images, string reference) =>
        RecordLookup.Find(images, reference, i => i.Id, (i, r) => (i.Names?.Contains(r) ?? false) || i.ComputeDigests().Contains(r));
}
