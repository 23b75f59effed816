using System.Runtime.Versioning;
using CriO.Storage.Interop;

namespace CriO.Storage.Locking;

/// <summary>
/// One acquisition of a <see cref="LockFile"/>, shared or exclusive, until <see cref="Unlock"/>
/// (or Dispose). It owns the descriptor the kernel lock hangs on, and reads and writes the
/// <see cref="LastWrite"/> token through it.
/// </summary>
/// <remarks>
/// The protocol a store follows with it, as containers/storage does:
/// <code>
/// using var held = await lockFile.LockSharedAsync(ct);      // or LockExclusiveAsync to write
/// if (held.ModifiedSinceLastSeen(out var token)) { Reload(); held.MarkSeen(token); }
/// // to write (exclusive): record first, then write the JSON atomically
/// held.RecordWrite();
/// MetadataFile.WriteAtomically(path, records);
/// </code>
/// Recording before writing is the order containers/storage 1.45 and later use: a crash between
/// the two then costs the other parties one needless reload, where the other order (1.43's) can
/// leave a long-running reader on stale data.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class HeldLock : IDisposable
{
    private readonly SafeFd _descriptor;

    internal HeldLock(LockFile lockFile, SafeFd descriptor, bool exclusive)
    {
        LockFile = lockFile;
        _descriptor = descriptor;
        IsExclusive = exclusive;
    }

    /// <summary>The lock file this acquisition is of.</summary>
    public LockFile LockFile { get; }

    /// <summary>True when held for writing; false when shared.</summary>
    public bool IsExclusive { get; }

    /// <summary>False once unlocked.</summary>
    public bool IsHeld => !_descriptor.IsClosed;

    /// <summary>The token now in the lock file (what its last writer recorded; empty if nobody ever did).</summary>
    public LastWrite GetLastWrite()
    {
        ThrowIfReleased();
        Span<byte> buffer = stackalloc byte[LastWrite.Size];
        var read = FileLockCalls.ReadAt(_descriptor, buffer, 0, LockFile.Path);
        return LastWrite.FromBytes(buffer[..read]);
    }

    /// <summary>
    /// True when the token in the file differs from <paramref name="previous"/>: someone wrote
    /// since that token was seen. <paramref name="current"/> is the token in the file, to remember
    /// once the change has been loaded.
    /// </summary>
    public bool ModifiedSince(LastWrite previous, out LastWrite current)
    {
        current = GetLastWrite();
        return current != previous;
    }

    /// <summary>
    /// <see cref="ModifiedSince"/> against <see cref="LockFile.LastSeen"/>: true at the first call
    /// on a fresh <see cref="LockFile"/>. It does not update LastSeen: call <see cref="MarkSeen"/>
    /// with <paramref name="current"/> after reloading succeeded, so a failed reload is retried.
    /// </summary>
    public bool ModifiedSinceLastSeen(out LastWrite current) => ModifiedSince(LockFile.LastSeen, out current);

    /// <summary>Records <paramref name="token"/> as the state this process has loaded.</summary>
    public void MarkSeen(LastWrite token)
    {
        ThrowIfReleased();
        LockFile.SetLastSeen(token);
    }

    /// <summary>
    /// Writes a fresh token into the lock file, telling every other party that the guarded data
    /// changes; call it just before writing the data (at the latest before unlocking). The new
    /// token counts as seen here (our own write needs no reload), and is returned.
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock is held shared.</exception>
    public LastWrite RecordWrite()
    {
        ThrowIfReleased();
        if (!IsExclusive)
        {
            throw new InvalidOperationException($"{LockFile.Path}: recording a write needs the lock held exclusive");
        }

        var token = LockFile.NewToken();
        FileLockCalls.WriteAt(_descriptor, token.Bytes, 0, LockFile.Path);
        LockFile.SetLastSeen(token);
        return token;
    }

    /// <summary>Releases the lock (closing its descriptor). Calling it again does nothing.</summary>
    public void Unlock() => _descriptor.Dispose();

    public void Dispose() => Unlock();

    private void ThrowIfReleased() => ObjectDisposedException.ThrowIf(_descriptor.IsClosed, this);
}
