using System.Buffers.Binary;
using CriO.Storage.Locking;

namespace CriO.Storage.Tests.Locking;

/// <summary>
/// Our lock against classic POSIX record locks held by another process (python3's fcntl.lockf,
/// the lock containers/storage takes), against itself in one process, and the last-writer token.
/// </summary>
public sealed class LockFileTests : IDisposable
{
    private static readonly TimeSpan s_startup = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan s_stillBlocked = TimeSpan.FromMilliseconds(700);

    private readonly string _directory = Directory.CreateTempSubdirectory("crio-lock-").FullName;

    private string LockPath => Path.Combine(_directory, "overlay-layers", "layers.lock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Open_CreatesTheFileAndFolders_Empty_Mode0644()
    {
        var lockFile = LockFile.Open(LockPath);

        Assert.Equal(LockPath, lockFile.Path);
        Assert.Equal(0, new FileInfo(LockPath).Length);
        Assert.Equal(LockFile.FileMode & ~UmaskBits(), File.GetUnixFileMode(LockPath));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(LockPath)!));
    }

    [Fact]
    public void FolderRemovedAfterOpen_IsMadeAgainAtTheNextLock()
    {
        var lockFile = LockFile.Open(LockPath);
        Directory.Delete(Path.GetDirectoryName(LockPath)!, recursive: true);

        using var held = lockFile.LockExclusive();

        Assert.True(File.Exists(LockPath));
    }

    [Fact]
    public void ReadOnlyLockFile_ThatDoesNotExist_IsNotCreated()
    {
        Assert.Throws<FileNotFoundException>(() => LockFile.Open(LockPath, readOnly: true));
        Assert.False(Directory.Exists(Path.GetDirectoryName(LockPath)));
    }

    [Fact]
    public async Task ExclusiveHeldByAnotherProcess_BlocksUsUntilReleased()
    {
        var lockFile = LockFile.Open(LockPath);
        await using var python = PosixLockHolder.Start(LockPath, exclusive: true, wait: true);
        Assert.Equal("locked", await python.NextLineAsync(s_startup));

        Assert.Null(lockFile.TryLockExclusive());
        Assert.Null(lockFile.TryLockShared());
        var waiting = lockFile.LockExclusiveAsync(CancellationToken.None).AsTask();
        await Task.Delay(s_stillBlocked);
        Assert.False(waiting.IsCompleted);

        await python.ReleaseAsync();
        using var held = await waiting.WaitAsync(s_startup);
        Assert.True(held.IsExclusive);
    }

    [Fact]
    public async Task BlockingLock_WaitsForAnotherProcess()
    {
        var lockFile = LockFile.Open(LockPath);
        await using var python = PosixLockHolder.Start(LockPath, exclusive: true, wait: true);
        Assert.Equal("locked", await python.NextLineAsync(s_startup));

        var waiting = Task.Run(lockFile.LockShared);
        await Task.Delay(s_stillBlocked);
        Assert.False(waiting.IsCompleted);

        await python.ReleaseAsync();
        using var held = await waiting.WaitAsync(s_startup);
        Assert.False(held.IsExclusive);
    }

    [Fact]
    public async Task OurExclusiveLock_BlocksAnotherProcessUntilUnlocked()
    {
        var lockFile = LockFile.Open(LockPath);
        var held = lockFile.LockExclusive();

        await using (var probe = PosixLockHolder.Start(LockPath, exclusive: false, wait: false))
        {
            Assert.Equal("busy", await probe.NextLineAsync(s_startup));
        }

        await using var python = PosixLockHolder.Start(LockPath, exclusive: true, wait: true);
        Assert.True(await python.IsSilentForAsync(s_stillBlocked));

        held.Unlock();
        Assert.Equal("locked", await python.NextLineAsync(s_startup));
    }

    [Fact]
    public async Task SharedLocks_AcrossProcesses_AreCompatible_ButExcludeWriters()
    {
        var lockFile = LockFile.Open(LockPath);
        await using var python = PosixLockHolder.Start(LockPath, exclusive: false, wait: true);
        Assert.Equal("locked", await python.NextLineAsync(s_startup));

        using var shared = lockFile.TryLockShared();
        Assert.NotNull(shared);
        Assert.Null(lockFile.TryLockExclusive());

        await using var writer = PosixLockHolder.Start(LockPath, exclusive: true, wait: false);
        Assert.Equal("busy", await writer.NextLineAsync(s_startup));
    }

    [Fact]
    public void TwoHoldersInOneProcess_ExcludeEachOther()
    {
        var first = LockFile.Open(LockPath);
        var second = LockFile.Open(LockPath);

        using (first.LockExclusive())
        {
            Assert.Null(second.TryLockExclusive());
            Assert.Null(second.TryLockShared());
            Assert.Null(first.TryLockShared()); // not reentrant: a second acquisition is a second owner
        }

        using var reader1 = first.LockShared();
        using var reader2 = second.TryLockShared();
        Assert.NotNull(reader2);
        Assert.Null(second.TryLockExclusive());
    }

    [Fact]
    public async Task ClosingAnotherDescriptorOfTheFile_DoesNotDropOurLock()
    {
        var lockFile = LockFile.Open(LockPath);
        using var held = lockFile.LockExclusive();

        // With classic POSIX locks this close would release the whole process's lock.
        File.ReadAllBytes(LockPath);

        await using var probe = PosixLockHolder.Start(LockPath, exclusive: true, wait: false);
        Assert.Equal("busy", await probe.NextLineAsync(s_startup));
    }

    [Fact]
    public async Task LockAsync_IsCancellable()
    {
        var lockFile = LockFile.Open(LockPath);
        using var held = lockFile.LockExclusive();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await lockFile.LockSharedAsync(cancel.Token));
    }

    [Fact]
    public void ReadOnlyLockFile_CanOnlyBeShared()
    {
        LockFile.Open(LockPath).LockShared().Dispose();
        var readOnly = LockFile.Open(LockPath, readOnly: true);

        using var shared = readOnly.LockShared();
        Assert.Throws<InvalidOperationException>(() => readOnly.TryLockExclusive());
    }

    [Fact]
    public void RecordWrite_Writes64BytesInContainersStorageLayout()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var lockFile = LockFile.Open(LockPath, time: time);

        using var held = lockFile.LockExclusive();
        var first = held.RecordWrite();
        var second = held.RecordWrite();

        var bytes = File.ReadAllBytes(LockPath);
        Assert.Equal(LastWrite.Size, bytes.Length);
        Assert.Equal(second.Bytes.ToArray(), bytes);
        Assert.NotEqual(first, second);
        Assert.Equal((time.Now - DateTimeOffset.UnixEpoch).Ticks * 100, BinaryPrimitives.ReadInt64LittleEndian(bytes));
        Assert.Equal(
            BinaryPrimitives.ReadInt64LittleEndian(first.Bytes[8..]) + 1,
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(Environment.ProcessId, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16)));
    }

    [Fact]
    public void RecordWrite_NeedsTheExclusiveLock()
    {
        using var shared = LockFile.Open(LockPath).LockShared();

        Assert.Throws<InvalidOperationException>(() => shared.RecordWrite());
    }

    [Fact]
    public void ModifiedSinceLastSeen_FollowsOtherWriters_NotOurOwn()
    {
        var ours = LockFile.Open(LockPath);
        var theirs = LockFile.Open(LockPath); // stands for another process's store object

        using (var held = ours.LockShared())
        {
            Assert.True(held.ModifiedSinceLastSeen(out var empty)); // a fresh instance has seen nothing
            Assert.True(empty.Bytes.IsEmpty);
            held.MarkSeen(empty);
            Assert.False(held.ModifiedSinceLastSeen(out _));
        }

        using (var held = theirs.LockExclusive())
        {
            held.RecordWrite();
        }

        using (var held = ours.LockExclusive())
        {
            Assert.True(held.ModifiedSinceLastSeen(out var current));
            Assert.False(held.ModifiedSinceLastSeen(out _) && current == ours.LastSeen); // not marked yet
            held.MarkSeen(current);
            Assert.False(held.ModifiedSinceLastSeen(out _));
            var written = held.RecordWrite();
            Assert.Equal(written, ours.LastSeen);
            Assert.False(held.ModifiedSinceLastSeen(out _)); // our own write needs no reload
        }

        using (var held = theirs.LockShared())
        {
            Assert.True(held.ModifiedSinceLastSeen(out _));
        }
    }

    [Fact]
    public async Task TokenWrittenByAnotherProcess_IsNoticed()
    {
        var lockFile = LockFile.Open(LockPath);
        using (var held = lockFile.LockShared())
        {
            held.MarkSeen(held.GetLastWrite());
        }

        var (exitCode, _, errors) = await CriO.Tests.Shared.ChildProcess.RunAsync(
            "python3",
            ["-c", "import fcntl,os,sys; fd=os.open(sys.argv[1], os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX); os.pwrite(fd, os.urandom(64), 0)", LockPath]);
        Assert.True(exitCode == 0, errors);

        using var again = lockFile.LockShared();
        Assert.True(again.ModifiedSinceLastSeen(out var current));
        Assert.Equal(LastWrite.Size, current.Bytes.Length);
    }

    [Fact]
    public void LastWrite_Equality()
    {
        Assert.Equal(LastWrite.Never, LastWrite.Never);
        Assert.NotEqual(LastWrite.Never, LastWrite.FromBytes([]));
        Assert.Equal(LastWrite.FromBytes([1, 2]), LastWrite.FromBytes([1, 2]));
        Assert.NotEqual(LastWrite.FromBytes([1, 2]), LastWrite.FromBytes([1, 2, 0]));
        Assert.Equal(LastWrite.Size, LastWrite.FromBytes(new byte[100]).Bytes.Length);
    }

    private static UnixFileMode UmaskBits()
    {
        // The umask is not readable without changing it: infer it from a fresh file made 0666.
        var probe = Path.Combine(Path.GetTempPath(), $"crio-umask-{Guid.NewGuid():N}");
        using (new FileStream(probe, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = (UnixFileMode)0b110_110_110,
        }))
        {
        }

        var mode = File.GetUnixFileMode(probe);
        File.Delete(probe);
        return (UnixFileMode)0b110_110_110 & ~mode;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
