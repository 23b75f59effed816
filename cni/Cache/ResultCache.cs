using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using CriO.Cni.Config;
using CriO.Cni.Interop;

namespace CriO.Cni.Cache;

/// <summary>
/// libcni's result cache, <c>CACHEDIR/results/</c>, one JSON file per attachment named
/// <c>NETWORK-CONTAINERID-IFNAME</c>, in libcni's format so podman and cnitool read our entries
/// and we read theirs. Files are written atomically (temp file, fsync, rename, fsync of the
/// folder): after a crash an entry is whole or absent. Callers serialize access per attachment
/// (container id + interface); this class holds no lock.
/// </summary>
internal sealed class ResultCache(string cacheDirectory)
{
    public const string Kind = "cniCacheV1";

    /// <summary>Entries are small; a larger file is not one of ours.</summary>
    private const long MaxEntryBytes = 4 * 1024 * 1024;

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode EntryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string ResultsDirectory { get; } = Path.Combine(cacheDirectory, "results");

    /// <summary>The entry's path; the names were validated (no '/', no "..").</summary>
    public string PathOf(string networkName, string containerId, string interfaceName) =>
        Path.Combine(ResultsDirectory, $"{networkName}-{containerId}-{interfaceName}");

    /// <summary>Writes <paramref name="entry"/> atomically, replacing an older one; returns its path.</summary>
    public string Write(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Directory.CreateDirectory(ResultsDirectory, FolderMode);
        var path = PathOf(entry.NetworkName, entry.ContainerId, entry.InterfaceName);
        var temporary = Path.Combine(ResultsDirectory, $".tmp-{Path.GetFileName(path)}-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = EntryMode,
            }))
            {
                stream.Write(Serialize(entry));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        DirectorySync.Sync(ResultsDirectory);
        return path;
    }

    /// <summary>
    /// The entries of one attachment, on any network: the file name ends with
    /// <c>-CONTAINERID-IFNAME</c> and the content says the same. Unreadable files are reported
    /// through <paramref name="problems"/> and skipped.
    /// </summary>
    public IReadOnlyList<(string Path, CacheEntry Entry)> Find(string containerId, string interfaceName, ICollection<(string Path, string Error)> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var found = new List<(string, CacheEntry)>();
        if (!Directory.Exists(ResultsDirectory))
        {
            return found;
        }

        foreach (var path in Directory.EnumerateFiles(ResultsDirectory, $"*-{containerId}-{interfaceName}").Order(StringComparer.Ordinal))
        {
            try
            {
                var entry = Read(path);
                if (entry.ContainerId == containerId && entry.InterfaceName == interfaceName)
                {
                    found.Add((path, entry));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException or FormatException)
            {
                problems.Add((path, e.Message));
            }
        }

        return found;
    }

    /// <summary>Removes an entry; a missing one is fine (DEL is repeatable).</summary>
    public static void Delete(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (!File.Exists(path))
        {
            return;
        }

        File.Delete(path);
        DirectorySync.Sync(folder);
    }

    /// <exception cref="InvalidDataException">Not a cniCacheV1 entry.</exception>
    public static CacheEntry Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
        if (stream.Length > MaxEntryBytes)
        {
            throw new InvalidDataException($"larger than {MaxEntryBytes} bytes");
        }

        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return Parse(bytes);
    }

    /// <exception cref="InvalidDataException">Not a cniCacheV1 entry.</exception>
    /// <exception cref="JsonException">Not JSON.</exception>
    public static CacheEntry Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || String(root, "kind") != Kind)
        {
            throw new InvalidDataException($"not a {Kind} entry");
        }

        if (!root.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.String)
        {
            throw new InvalidDataException("no \"config\"");
        }

        var args = new List<KeyValuePair<string, string>>();
        if (root.TryGetProperty("cniArgs", out var cniArgs) && cniArgs.ValueKind == JsonValueKind.Array)
        {
            foreach (var pair in cniArgs.EnumerateArray())
            {
                if (pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
                    && pair[0].ValueKind == JsonValueKind.String && pair[1].ValueKind == JsonValueKind.String)
                {
                    args.Add(new(pair[0].GetString()!, pair[1].GetString()!));
                }
            }
        }

        var capabilities = root.TryGetProperty("capabilityArgs", out var c) ? CapabilityArgs.From(c) : CapabilityArgs.None;
        byte[]? result = root.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.Object
            ? JsonMarshal.GetRawUtf8Value(r).ToArray()
            : null;
        return new CacheEntry(
            String(root, "containerId"),
            String(root, "networkName"),
            String(root, "ifName"),
            String(root, "netns"),
            config.GetBytesFromBase64(),
            args,
            capabilities,
            result);
    }

    /// <summary>The file's bytes, field names and shapes as libcni's cachedInfo marshals them.</summary>
    public static byte[] Serialize(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var buffer = new ArrayBufferWriter<byte>(entry.Config.Length * 2 + (entry.Result?.Length ?? 0) + 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", Kind);
            writer.WriteString("containerId", entry.ContainerId);
            writer.WriteBase64String("config", entry.Config);
            writer.WriteString("ifName", entry.InterfaceName);
            writer.WriteString("networkName", entry.NetworkName);
            if (entry.NetNs.Length > 0)
            {
                writer.WriteString("netns", entry.NetNs);
            }

            if (entry.CniArgs.Count > 0)
            {
                writer.WriteStartArray("cniArgs");
                foreach (var (key, value) in entry.CniArgs)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(key);
                    writer.WriteStringValue(value);
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
            }

            if (entry.CapabilityArgs.Values.Count > 0)
            {
                writer.WriteStartObject("capabilityArgs");
                entry.CapabilityArgs.WriteAll(writer);
                writer.WriteEndObject();
            }

            if (entry.Result is { } result)
            {
                writer.WritePropertyName("result");
                writer.WriteRawValue(result, skipInputValidation: false);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
