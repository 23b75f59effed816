using System.Runtime.Versioning;
using CriO.Storage.Interop;

namespace CriO.Storage.Locking;

/// <summary>
/// A lock file in the containers/storage protocol (layers.lock, images.lock, containers.lock,
/// mountpoints.lock, storage.lock, userns.lock): a whole-file fcntl(2) record lock, shared for
/// reading and exclusive for writing, plus the 64-byte <see cref="LastWrite"/> token at the start
/// of the file that tells readers whether the guarded data changed. See storage/FORMAT.md.
/// </summary>
/// <remarks>
/// <para>
/// Every acquisition opens the file afresh and locks that open file description
/// (F_OFD_SETLK[W]). Open file description locks conflict with the classic record locks
/// containers/storage takes, so podman, skopeo, buildah and CRI-O exclude us and we exclude them.
/// They also solve the trap of classic fcntl locks, which belong to the whole process: with
/// those, two handles in one process never exclude each other, and closing any descriptor of the
/// file drops the process's lock (containers/storage keeps one object per path and counts
/// holders to live with that). Here two <see cref="HeldLock"/>s exclude each other whether they
/// come from one process or two, so no in-process reader-writer lock is needed, and no code
/// elsewhere in the daemon can drop our lock by opening and closing the same file.
/// </para>
/// <para>
/// The lock is not reentrant: a thread holding it that asks for it again (for either mode) waits
/// forever, as the kernel does no deadlock detection for these locks. Nor can a shared lock be
/// upgraded. Take locks in the order containers/storage uses: storage.lock, userns.lock,
/// layers.lock (then mountpoints.lock), images.lock, containers.lock.
/// </para>
/// <para>
/// Instances are thread-safe; any number of holders may be out at once.
/// </para>
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class LockFile
{
    /// <summary>Mode of a lock file created here, as containers/storage creates them (less the umask).</summary>
    public const UnixFileMode FileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    // Mode of a missing parent directory made on the way, as containers/storage makes them.
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan s_maxRetry = TimeSpan.FromMilliseconds(10);

    private readonly TimeProvider _time;
    private readonly Lock _seenGate = new();
    private LastWrite _lastSeen = LastWrite.Never;

    private LockFile(string path, bool readOnly, TimeProvider time)
    {
        Path = path;
        IsReadOnly = readOnly;
        _time = time;
    }

    /// <summary>The absolute path of the lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// True for a lock file of a read-only store (an additional image store): opened read-only,
    /// it can only be locked shared.
    /// </summary>
    public bool IsReadOnly { get; }

    /// <summary>
    /// The token recorded by the last <see cref="HeldLock.MarkSeen"/> or <see cref="HeldLock.RecordWrite"/>
    /// through this instance; <see cref="LastWrite.Never"/> until then.
    /// </summary>
    public LastWrite LastSeen
    {
        get
        {
            lock (_seenGate)
            {
                return _lastSeen;
            }
        }
    }

    /// <summary>
    /// The lock file at <paramref name="path"/>, created (mode 0644, parent folders 0700) when it
    /// is missing and the lock is not <paramref name="readOnly"/>. Nothing is locked yet.
    /// </summary>
    public static LockFile Open(string path, bool readOnly = false, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var lockFile = new LockFile(System.IO.Path.GetFullPath(path), readOnly, time ?? TimeProvider.System);
        lockFile.OpenDescriptor().Dispose(); // fail now, not at the first lock, if it cannot be opened
        return lockFile;
    }

    /// <summary>Waits for the lock shared (for reading).</summary>
    public HeldLock LockShared() => Acquire(exclusive: false, wait: true)!;

    /// <summary>Waits for the lock exclusive (for writing).</summary>
    /// <exception cref="InvalidOperationException">The lock file is read-only.</exception>
    public HeldLock LockExclusive() => Acquire(exclusive: true, wait: true)!;

    /// <summary>The lock shared, or null at once when someone holds it exclusive.</summary>
    public HeldLock? TryLockShared() => Acquire(exclusive: false, wait: false);

    /// <summary>The lock exclusive, or null at once when anyone holds it.</summary>
    public HeldLock? TryLockExclusive() => Acquire(exclusive: true, wait: false);

    /// <summary>
    /// Waits for the lock shared without blocking a thread: tries, and retries every few
    /// milliseconds (at most 10, as containers/storage retries) until it is free or
    /// <paramref name="cancellationToken"/> fires.
    /// </summary>
    public ValueTask<HeldLock> LockSharedAsync(CancellationToken cancellationToken) =>
        AcquireAsync(exclusive: false, cancellationToken);

    /// <summary>Waits for the lock exclusive without blocking a thread; see <see cref="LockSharedAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The lock file is read-only.</exception>
    public ValueTask<HeldLock> LockExclusiveAsync(CancellationToken cancellationToken) =>
        AcquireAsync(exclusive: true, cancellationToken);

    public override string ToString() => Path;

    internal LastWrite NewToken() => LastWrite.CreateNew(_time);

    internal void SetLastSeen(LastWrite token)
    {
        lock (_seenGate)
        {
            _lastSeen = token;
        }
    }

    private async ValueTask<HeldLock> AcquireAsync(bool exclusive, CancellationToken cancellationToken)
    {
        var delay = s_firstRetry;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Acquire(exclusive, wait: false) is { } held)
            {
                return held;
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < s_maxRetry ? delay * 2 : s_maxRetry;
        }
    }

    private HeldLock? Acquire(bool exclusive, bool wait)
    {
        if (exclusive && IsReadOnly)
        {
            throw new InvalidOperationException($"{Path} is a read-only lock file: it cannot be locked for writing");
        }

        var descriptor = OpenDescriptor();
        try
        {
            if (!FileLockCalls.Lock(descriptor, exclusive, wait, Path))
            {
                descriptor.Dispose();
                return null;
            }

            return new HeldLock(this, descriptor, exclusive);
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }
    }

    private SafeFd OpenDescriptor()
    {
        try
        {
            return FileLockCalls.OpenLockFile(Path, IsReadOnly, create: !IsReadOnly, (int)FileMode);
        }
        catch (FileNotFoundException) when (!IsReadOnly && !Directory.Exists(System.IO.Path.GetDirectoryName(Path)))
        {
            // The folder went away (or was never made): make it, as containers/storage does.
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!, DirectoryMode);
            return FileLockCalls.OpenLockFile(Path, IsReadOnly, create: true, (int)FileMode);
        }
    }
}
