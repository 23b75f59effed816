using System.Text.Json;
using CriO.Tests.Shared;

namespace CriO.Storage.Tests.Archive;

/// <summary>
/// A fresh temporary folder for one test: "diff" (the layer's diff directory, empty) and, next
/// to it, "sentinel" (a folder with a file) that no layer may touch. Removed on dispose.
/// </summary>
internal sealed class ArchiveScratch : IDisposable
{
    public ArchiveScratch()
    {
        Root = Directory.CreateTempSubdirectory("crio-archive-").FullName;
        Diff = Directory.CreateDirectory(Path.Combine(Root, "diff")).FullName;
        Sentinel = Directory.CreateDirectory(Path.Combine(Root, "sentinel")).FullName;
        File.WriteAllText(Path.Combine(Sentinel, "file"), "untouched");
    }

    public string Root { get; }

    public string Diff { get; }

    public string Sentinel { get; }

    public string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>A second, empty diff directory.</summary>
    public string NewDiff(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a failed test may leave odd modes behind; rm copes with those.
            ChildProcess.RunAsync("rm", ["-rf", Root]).GetAwaiter().GetResult();
        }
    }
}

/// <summary>One file system object as python's os.lstat sees it: an independent view of what a layer left on disk.</summary>
internal sealed record TreeNode(
    char Type, int Permissions, long Uid, long Gid, long ModifiedNs, long AccessedNs, long Size, long Inode, long LinkCount,
    long Major, long Minor, string? Link, IReadOnlyDictionary<string, string> Xattrs);

internal static class Tree
{
    private const string Script = """
        import os, sys, json, stat
        root = sys.argv[1].encode()
        out = {}
        def visit(p):
            st = os.lstat(p)
            m = st.st_mode
            t = 'd' if stat.S_ISDIR(m) else 'f' if stat.S_ISREG(m) else 'l' if stat.S_ISLNK(m) else 'c' if stat.S_ISCHR(m) else 'b' if stat.S_ISBLK(m) else 'p' if stat.S_ISFIFO(m) else '?'
            rel = os.path.relpath(p, root).decode('utf-8', 'backslashreplace')
            x = {}
            for k in os.listxattr(p, follow_symlinks=False):
                x[k] = os.getxattr(p, k, follow_symlinks=False).hex()
            out[rel] = dict(type=t, perm=stat.S_IMODE(m), uid=st.st_uid, gid=st.st_gid, mtime=st.st_mtime_ns, atime=st.st_atime_ns,
                            size=st.st_size, ino=st.st_ino, nlink=st.st_nlink, major=os.major(st.st_rdev), minor=os.minor(st.st_rdev),
                            link=os.readlink(p).decode('utf-8', 'backslashreplace') if t == 'l' else None, xattrs=x)
        visit(root)
        for d, dirs, files in os.walk(root):
            for n in dirs + files:
                visit(os.path.join(d, n))
        print(json.dumps(out))
        """;

    /// <summary>Every object under <paramref name="root"/> (and root itself as "."), by relative path.</summary>
    public static async Task<IReadOnlyDictionary<string, TreeNode>> DumpAsync(string root)
    {
        var (exit, output, errors) = await ChildProcess.RunAsync("python3", ["-c", Script, root]);
        Assert.True(exit == 0, errors);
        using var json = JsonDocument.Parse(output);
        var nodes = new Dictionary<string, TreeNode>(StringComparer.Ordinal);
        foreach (var property in json.RootElement.EnumerateObject())
        {
            var v = property.Value;
            var xattrs = v.GetProperty("xattrs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            nodes[property.Name] = new TreeNode(
                v.GetProperty("type").GetString()![0], v.GetProperty("perm").GetInt32(), v.GetProperty("uid").GetInt64(), v.GetProperty("gid").GetInt64(),
                v.GetProperty("mtime").GetInt64(), v.GetProperty("atime").GetInt64(), v.GetProperty("size").GetInt64(), v.GetProperty("ino").GetInt64(),
                v.GetProperty("nlink").GetInt64(), v.GetProperty("major").GetInt64(), v.GetProperty("minor").GetInt64(),
                v.GetProperty("link").ValueKind == JsonValueKind.Null ? null : v.GetProperty("link").GetString(), xattrs);
        }

        return nodes;
    }

    public static async Task<string> Sha256Async(string file)
    {
        var (exit, output, errors) = await ChildProcess.RunAsync("sha256sum", [file]);
        Assert.True(exit == 0, errors);
        return "sha256:" + output.Split(' ')[0];
    }
}
