using System.Text;

namespace CriO.Server.Containers.Spec;

/// <summary>
/// Reads small files of a container's root, whose content is untrusted: a path is resolved
/// component by component as if <c>root</c> were "/" (securejoin's rule, as CRI-O does for
/// /etc/passwd): an absolute symlink restarts at the root, ".." stops at it, so no link leads to
/// the host's files. The container does not run yet, so nothing races the walk but the image
/// itself, which is read-only below the container's layer.
/// </summary>
internal static class RootfsFiles
{
    private const int MaxLinks = 255;

    /// <summary>A file the size of which beyond this is refused (/etc/passwd of a huge image is still far below).</summary>
    public const int MaxFileBytes = 4 << 20;

    /// <summary>The host path of <paramref name="path"/> inside <paramref name="root"/>, every symlink resolved within it.</summary>
    public static string Resolve(string root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = Path.Join(root, string.Join('/', resolved), part);
            var info = new FileInfo(candidate);
            if (info.Exists || Directory.Exists(candidate))
            {
                var target = info.LinkTarget;
                if (target is not null)
                {
                    if (++links > MaxLinks)
                    {
                        throw new IOException($"too many symlinks resolving {path} in the container's root");
                    }

                    foreach (var next in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                    {
                        pending.Push(next);
                    }

                    if (target.StartsWith('/'))
                    {
                        resolved.Clear();
                    }

                    continue;
                }
            }

            resolved.Add(part);
        }

        return Path.Join(root, string.Join('/', resolved));
    }

    /// <summary>The lines of a regular file inside the root, or null when it does not exist there.</summary>
    public static string[]? ReadLines(string root, string path)
    {
        var host = Resolve(root, path);
        var info = new FileInfo(host);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return null;
        }

        // Only regular files with content: a FIFO or a device (size 0 in stat) would block or read
        // forever, and an empty file says no more than a missing one.
        if (info.Length == 0 || (info.Attributes & FileAttributes.Directory) != 0)
        {
            return null;
        }

        if (info.Length > MaxFileBytes)
        {
            throw new IOException($"{path} in the container's root is larger than {MaxFileBytes} bytes");
        }

        using var stream = new FileStream(host, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        var buffer = new byte[MaxFileBytes + 1];
        var total = 0;
        int read;
        while ((read = stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += read;
            if (total > MaxFileBytes)
            {
                throw new IOException($"{path} in the container's root is larger than {MaxFileBytes} bytes");
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, total).Split('\n');
    }
}
