using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CriO.Storage.Locking;

/// <summary>
/// The "last writer" token that containers/storage keeps in the first 64 bytes of a lock file.
/// Whoever changes the data a lock guards writes a fresh token while still holding the lock for
/// writing; a reader that remembers the token it last loaded at can tell, under the lock, whether
/// anyone (another process, or another store object here) has written since.
/// </summary>
/// <remarks>
/// Layout of a token made here, as containers/storage 1.43 makes them (all little-endian):
/// bytes 0-7 the wall clock in Unix nanoseconds, 8-15 a per-process counter, 16-19 the process
/// id, 20-63 random. Readers never parse it: only byte equality matters, and older writers put
/// a 64-character hex string there instead. A token read from a file may be shorter than 64
/// bytes (a new, never written lock file reads as the empty token).
/// </remarks>
public readonly struct LastWrite : IEquatable<LastWrite>
{
    /// <summary>The size of a token: 64 bytes.</summary>
    public const int Size = 64;

    private static long s_counter;

    // null means "never seen": it equals only itself, never a token read from a file (not even
    // the empty one), so the first check of a fresh LockFile reports a change, as in containers/storage.
    private readonly byte[]? _bytes;

    private LastWrite(byte[]? bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The token of nothing seen yet: it differs from every token read from a file.</summary>
    public static LastWrite Never => default;

    /// <summary>True for <see cref="Never"/>.</summary>
    public bool IsNever => _bytes is null;

    /// <summary>The token's bytes (empty for <see cref="Never"/>).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>A fresh token, different from every other one made here or by another process.</summary>
    public static LastWrite CreateNew(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var bytes = new byte[Size];
        var unixNanoseconds = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(0, 8), unixNanoseconds);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8, 8), Interlocked.Increment(ref s_counter));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16, 4), Environment.ProcessId);
        RandomNumberGenerator.Fill(bytes.AsSpan(20));
        return new LastWrite(bytes);
    }

    /// <summary>The token made of <paramref name="bytes"/> as read from a lock file (at most 64 bytes are kept).</summary>
    public static LastWrite FromBytes(ReadOnlySpan<byte> bytes) =>
        new(bytes[..Math.Min(bytes.Length, Size)].ToArray());

    public bool Equals(LastWrite other) =>
        _bytes is null || other._bytes is null
            ? _bytes is null && other._bytes is null
            : _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is LastWrite other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    /// <summary>Hex of the bytes, for logs; "never" for <see cref="Never"/>.</summary>
    public override string ToString() => _bytes is null ? "never" : Convert.ToHexStringLower(_bytes);

    public static bool operator ==(LastWrite left, LastWrite right) => left.Equals(right);

    public static bool operator !=(LastWrite left, LastWrite right) => !left.Equals(right);
}
