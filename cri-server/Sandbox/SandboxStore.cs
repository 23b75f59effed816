using System.Text.Json;
using CriO.Server.Errors;
using CriO.Storage.Metadata;

namespace CriO.Server.Sandbox;

/// <summary>
/// The pods this daemon knows, by ID, and the names they reserve. Lookups are lock-free reads of
/// an immutable snapshot (the kubelet polls List and Status every second per pod); changes take
/// a short lock that is never held across a call to an external binary.
/// </summary>
public sealed class SandboxStore
{
    private readonly Lock _lock = new();
    private volatile Dictionary<string, PodSandbox> _pods = new(StringComparer.Ordinal);

    // Name -> ID of the holder; a name is reserved from the start of RunPodSandbox until Remove.
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public IReadOnlyCollection<PodSandbox> All => _pods.Values;

    /// <summary>Reserves a pod's name for <paramref name="id"/>, or names the holder.</summary>
    public void Reserve(string name, string id)
    {
        lock (_lock)
        {
            if (_names.TryGetValue(name, out var holder))
            {
                throw new AlreadyExistsException($"pod sandbox name \"{name}\" is reserved for {holder}; remove that pod first");
            }

            _names[name] = id;
        }
    }

    /// <summary>The ID holding a name, if any.</summary>
    public string? HolderOf(string name)
    {
        lock (_lock)
        {
            return _names.GetValueOrDefault(name);
        }
    }

    public void Release(string name, string id)
    {
        lock (_lock)
        {
            if (_names.TryGetValue(name, out var holder) && holder == id)
            {
                _names.Remove(name);
            }
        }
    }

    public void Add(PodSandbox pod)
    {
        lock (_lock)
        {
            _names[pod.Name] = pod.Id;
            _pods = new Dictionary<string, PodSandbox>(_pods, StringComparer.Ordinal) { [pod.Id] = pod };
        }
    }

    public void Remove(PodSandbox pod)
    {
        lock (_lock)
        {
            var pods = new Dictionary<string, PodSandbox>(_pods, StringComparer.Ordinal);
            pods.Remove(pod.Id);
            _pods = pods;
            if (_names.TryGetValue(pod.Name, out var holder) && holder == pod.Id)
            {
                _names.Remove(pod.Name);
            }
        }
    }

    /// <summary>
    /// A pod by full ID or unique prefix, as CRI-O accepts; null when none matches. A prefix that
    /// matches several pods is an error naming them, never a guess.
    /// </summary>
    public PodSandbox? Find(string idOrPrefix)
    {
        var pods = _pods;
        if (pods.TryGetValue(idOrPrefix, out var exact))
        {
            return exact;
        }

        PodSandbox? found = null;
        foreach (var pod in pods.Values)
        {
            if (pod.Id.StartsWith(idOrPrefix, StringComparison.Ordinal))
            {
                if (found is not null)
                {
                    throw new InvalidArgumentException($"pod sandbox ID prefix \"{idOrPrefix}\" is ambiguous: it matches {found.Id} and {pod.Id}");
                }

                found = pod;
            }
        }

        return found;
    }

    public PodSandbox Get(string idOrPrefix) =>
        Find(idOrPrefix) ?? throw new NotFoundException($"pod sandbox {idOrPrefix} not found");

    /// <summary>Writes a pod's record atomically (temp file, fsync, rename): a crash leaves the old or the new one.</summary>
    public static void Save(string file, PodSandboxRecord record)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, SandboxJsonContext.Default.PodSandboxRecord);
        MetadataFile.WriteAtomically(file, bytes);
    }

    public static PodSandboxRecord Load(string file) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(file), SandboxJsonContext.Default.PodSandboxRecord)
        ?? throw new InvalidDataException($"{file}: empty pod record");
}
