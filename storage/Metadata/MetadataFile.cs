using System.Runtime.Versioning;
using System.Text.Json;
using CriO.Storage.Interop;

namespace CriO.Storage.Metadata;

/// <summary>
/// Reads and writes the store's JSON files (layers.json, images.json, containers.json,
/// mountpoints.json). Callers hold the file's lock (shared to read, exclusive to write) and,
/// to write, first record the write in the lock file (<see cref="Locking.HeldLock.RecordWrite"/>),
/// or long-running containers/storage users (CRI-O, podman system service) keep their old view.
/// </summary>
[SupportedOSPlatform("linux")]
public static class MetadataFile
{
    /// <summary>The largest file read: a store of thousands of images stays far below it.</summary>
    public const int MaxSize = 64 * 1024 * 1024;

    /// <summary>Mode of the files written, as containers/storage writes them: 0600.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const int TemporaryNameAttempts = 100;

    /// <summary>
    /// The records in the JSON array at <paramref name="path"/>: empty when the file is missing or
    /// empty (as containers/storage reads them), or holds JSON null.
    /// </summary>
    /// <typeparam name="T"><see cref="LayerRecord"/>, <see cref="ImageRecord"/>, <see cref="ContainerRecord"/> or <see cref="MountPointRecord"/>.</typeparam>
    /// <exception cref="InvalidDataException">The file is larger than <see cref="MaxSize"/> or is not such a JSON array.</exception>
    public static List<T> Read<T>(string path)
    {
        byte[] contents;
        try
        {
            contents = ReadBounded(path);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }

        try
        {
            return Parse<T>(contents);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The records in <paramref name="json"/> (empty input or JSON null: none).</summary>
    /// <exception cref="JsonException">The input is not a JSON array of such records.</exception>
    public static List<T> Parse<T>(ReadOnlySpan<byte> json) =>
        json.IsEmpty ? [] : JsonSerializer.Deserialize(json, StoreJson.ListOf<T>()) ?? [];

    /// <summary>The bytes containers/storage would write for <paramref name="records"/>.</summary>
    public static byte[] Serialize<T>(List<T> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return JsonSerializer.SerializeToUtf8Bytes(records, StoreJson.ListOf<T>());
    }

    /// <summary>Writes <paramref name="records"/> to <paramref name="path"/> atomically; see <see cref="WriteAtomically(string, ReadOnlySpan{byte}, UnixFileMode)"/>.</summary>
    public static void WriteAtomically<T>(string path, List<T> records) => WriteAtomically(path, Serialize(records));

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="contents"/> so that a reader, or the
    /// file after a crash, has either the old bytes or the new ones: a temporary file in the same
    /// folder (".tmp-NAME" plus random digits, as containers/storage's AtomicWriteFile names
    /// them), written and fsynced, given <paramref name="mode"/>, renamed over the target; then
    /// the folder is fsynced so the rename itself is durable (containers/storage stops short of
    /// that). The folder is made (0700) if missing. On failure the temporary file is removed and
    /// the target is untouched.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> contents, UnixFileMode mode = FileMode)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory, DirectoryMode);

        var (temporary, stream) = CreateTemporary(directory, Path.GetFileName(path));
        try
        {
            using (stream)
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.SetUnixFileMode(temporary, mode);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        FileLockCalls.SyncDirectory(directory);
    }

    private static (string Path, FileStream Stream) CreateTemporary(string directory, string name)
    {
        for (var attempt = 0; ; attempt++)
        {
            var temporary = Path.Combine(directory, $".tmp-{name}{Random.Shared.NextInt64(1_000_000_000, 10_000_000_000)}");
            try
            {
                var stream = new FileStream(temporary, new FileStreamOptions
                {
                    Mode = System.IO.FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.None,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                return (temporary, stream);
            }
            catch (IOException) when (attempt < TemporaryNameAttempts && File.Exists(temporary))
            {
                // Name taken (a leftover of a crash, or a concurrent writer): draw another.
            }
        }
    }

    private static byte[] ReadBounded(string path)
    {
        using var handle = File.OpenHandle(path, System.IO.FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        if (length > MaxSize)
        {
            throw new InvalidDataException($"{path}: {length} bytes, more than the {MaxSize} a metadata file may have");
        }

        // Read one byte past the length seen, to notice a file that grew meanwhile.
        var buffer = new byte[length + 1];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        if (total > length)
        {
            throw new InvalidDataException($"{path}: the file grew while it was read (is its lock held?)");
        }

        return buffer.AsSpan(0, total).ToArray();
    }
}
