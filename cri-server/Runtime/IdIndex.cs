using CriO.Server.Errors;

namespace CriO.Server.Runtime;

/// <summary>
/// The pods or containers this daemon knows, by ID, and the names they reserve. Lookups are
/// lock-free reads of an immutable snapshot (the kubelet polls List and Status every second per
/// object); changes take a short lock that is never held across a call to an external binary.
/// </summary>
public class IdIndex<T>(string kind, Func<T, string> idOf, Func<T, string> nameOf)
    where T : class
{
    private readonly Lock _lock = new();
    private volatile Dictionary<string, T> _items = new(StringComparer.Ordinal);

    // Name -> ID of the holder; a name is reserved from the start of a create until Remove.
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public IReadOnlyCollection<T> All => _items.Values;

    /// <summary>Reserves a name for <paramref name="id"/>, or names the holder.</summary>
    public void Reserve(string name, string id)
    {
        lock (_lock)
        {
            if (_names.TryGetValue(name, out var holder))
            {
                throw new AlreadyExistsException($"{kind} name \"{name}\" is reserved for {holder}; remove that {kind} first");
            }

            _names[name] = id;
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

    public void Add(T item)
    {
        lock (_lock)
        {
            _names[nameOf(item)] = idOf(item);
            _items = new Dictionary<string, T>(_items, StringComparer.Ordinal) { [idOf(item)] = item };
        }
    }

    public void Remove(T item)
    {
        lock (_lock)
        {
            var items = new Dictionary<string, T>(_items, StringComparer.Ordinal);
            items.Remove(idOf(item));
            _items = items;
            Release(nameOf(item), idOf(item));
        }
    }

    /// <summary>
    /// An item by full ID or unique prefix, as CRI-O accepts; null when none matches. A prefix
    /// that matches several is an error naming them, never a guess.
    /// </summary>
    public T? Find(string idOrPrefix)
    {
        var items = _items;
        if (items.TryGetValue(idOrPrefix, out var exact))
        {
            return exact;
        }

        T? found = null;
        foreach (var item in items.Values)
        {
            if (idOf(item).StartsWith(idOrPrefix, StringComparison.Ordinal))
            {
                if (found is not null)
                {
                    throw new InvalidArgumentException($"{kind} ID prefix \"{idOrPrefix}\" is ambiguous: it matches {idOf(found)} and {idOf(item)}");
                }

                found = item;
            }
        }

        return found;
    }

    public T Get(string idOrPrefix) =>
        Find(idOrPrefix) ?? throw new NotFoundException($"{kind} {idOrPrefix} not found");
}
