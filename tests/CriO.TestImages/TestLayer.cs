using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace CriO.TestImages;

/// <summary>
/// A layer built from entries as a deterministic tar (fixed times, PAX format), so the same
/// test image has the same digests in every run and on every machine.
/// </summary>
public sealed class TestLayer
{
    /// <summary>2024-01-01T00:00:00Z: every entry's mtime, so digests never depend on the clock.</summary>
    public static readonly DateTimeOffset FixedTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;
    private const UnixFileMode FileMode = (UnixFileMode)0b110_100_100;
    private const UnixFileMode ExecutableMode = (UnixFileMode)0b111_101_101;

    private readonly List<LayerEntry> _entries = [];

    public IReadOnlyList<LayerEntry> Entries => _entries;

    public TestLayer Directory(string path, UnixFileMode mode = DirectoryMode, int uid = 0, int gid = 0)
    {
        _entries.Add(new LayerEntry(path, TarEntryType.Directory, mode, uid, gid));
        return this;
    }

    public TestLayer File(string path, string content, UnixFileMode mode = FileMode, int uid = 0, int gid = 0) =>
        File(path, System.Text.Encoding.UTF8.GetBytes(content), mode, uid, gid);

    public TestLayer File(string path, byte[] content, UnixFileMode mode = FileMode, int uid = 0, int gid = 0)
    {
        _entries.Add(new LayerEntry(path, TarEntryType.RegularFile, mode, uid, gid, Content: content));
        return this;
    }

    /// <summary>A file whose content is read from the host when the tar is written (large binaries).</summary>
    public TestLayer HostFile(string path, string hostPath, UnixFileMode mode = ExecutableMode)
    {
        _entries.Add(new LayerEntry(path, TarEntryType.RegularFile, mode, ContentFile: hostPath));
        return this;
    }

    public TestLayer Symlink(string path, string target)
    {
        _entries.Add(new LayerEntry(path, TarEntryType.SymbolicLink, (UnixFileMode)0b111_111_111, LinkTarget: target));
        return this;
    }

    public TestLayer Hardlink(string path, string target)
    {
        _entries.Add(new LayerEntry(path, TarEntryType.HardLink, FileMode, LinkTarget: target));
        return this;
    }

    /// <summary>An OCI whiteout: <paramref name="path"/> is deleted by this layer.</summary>
    public TestLayer Whiteout(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path.TrimEnd('/')) ?? "";
        var name = System.IO.Path.GetFileName(path.TrimEnd('/'));
        _entries.Add(new LayerEntry(System.IO.Path.Combine(directory, ".wh." + name), TarEntryType.RegularFile, FileMode, Content: []));
        return this;
    }

    /// <summary>The uncompressed layer tar (what the DiffID is the digest of).</summary>
    public byte[] ToTar()
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in _entries)
            {
                var tar = new PaxTarEntry(entry.Type, entry.Path)
                {
                    Mode = entry.Mode,
                    Uid = entry.Uid,
                    Gid = entry.Gid,
                    ModificationTime = FixedTime,
                };
                if (entry.LinkTarget is not null)
                {
                    tar.LinkName = entry.LinkTarget;
                }

                if (entry.Content is not null)
                {
                    tar.DataStream = new MemoryStream(entry.Content);
                }
                else if (entry.ContentFile is not null)
                {
                    tar.DataStream = System.IO.File.OpenRead(entry.ContentFile);
                }

                writer.WriteEntry(tar);
                tar.DataStream?.Dispose();
            }
        }

        return output.ToArray();
    }

    /// <summary>The layer as a registry serves it: gzip of the tar (deterministic: no name or time in the header).</summary>
    public byte[] ToTarGzip() => Gzip(ToTar());

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    public static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
}
