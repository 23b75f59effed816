namespace CriO.Storage.Store;

/// <summary>What is mounted now, from /proc/self/mountinfo (proc(5)): the kernel's word, not a file's.</summary>
internal static class MountTable
{
    public static bool IsMountPoint(string path)
    {
        var escaped = path.Replace("\\", "\\134", StringComparison.Ordinal).Replace(" ", "\\040", StringComparison.Ordinal)
            .Replace("\t", "\\011", StringComparison.Ordinal).Replace("\n", "\\012", StringComparison.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // Field 5 is the mount point.
            var fields = line.Split(' ', 6);
            if (fields.Length > 4 && fields[4] == escaped)
            {
                return true;
            }
        }

        return false;
    }
}
