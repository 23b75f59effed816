using CriO.Server.Interop;

namespace CriO.Server.Images;

/// <summary>
/// Bytes (allocated blocks, as du counts them) and inodes used under a folder, each hardlinked
/// file counted once, symlinks not followed, other mounts not entered (a running container's
/// merged root is not the store's usage). What ImageFsInfo reports.
/// </summary>
public static class DiskUsage
{
    private const long BlockSize = 512;

    public static (long Bytes, long Inodes) Measure(string root)
    {
        if (FileStatus.Of(root) is not { IsDirectory: true } top)
        {
            return (0, 0);
        }

        long bytes = top.Blocks * BlockSize;
        long inodes = 1;
        var seen = new HashSet<(ulong, ulong)>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(pending.Pop());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                if (FileStatus.Of(entry) is not { } status || status.Device != top.Device)
                {
                    continue;
                }

                if (status.Links > 1 && !status.IsDirectory && !seen.Add((status.Device, status.Inode)))
                {
                    continue;
                }

                inodes++;
                bytes += status.Blocks * BlockSize;
                if (status.IsDirectory)
                {
                    pending.Push(entry);
                }
            }
        }

        return (bytes, inodes);
    }
}
