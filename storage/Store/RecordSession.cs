using CriO.Storage.Locking;

namespace CriO.Storage.Store;

/// <summary>
/// The records of one <see cref="RecordFile{T}"/> while its lock is held; disposing releases
/// the lock. Only an exclusive session has <see cref="Writable"/> and may <see cref="Save"/>.
/// </summary>
internal sealed class RecordSession<T> : IDisposable
    where T : class
{
    private readonly RecordFile<T> _file;
    private readonly HeldLock _held;
    private readonly List<T>? _writable;

    internal RecordSession(RecordFile<T> file, HeldLock held, IReadOnlyList<T> records, List<T>? writable)
    {
        _file = file;
        _held = held;
        Records = records;
        _writable = writable;
    }

    public IReadOnlyList<T> Records { get; }

    public List<T> Writable => _writable ?? throw new InvalidOperationException($"{_file.JsonPath} is locked for reading only");

    public void Save() => _file.Save(_held, Writable);

    public void Dispose() => _held.Dispose();
}
