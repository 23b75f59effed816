using System.Diagnostics;

namespace CriO.E2E.Tests.Fixtures;

/// <summary>
/// The safety net under a test folder, for a test that failed before its pods were removed:
/// pause processes in the folder's pinned namespaces are killed, then every mount below the
/// folder (pinned namespaces, shm, overlay) is detached, so the folder can be deleted and the
/// machine stays clean for the next test.
/// </summary>
internal static class Leftovers
{
    public static void Clean(string root)
    {
        KillProcessesIn(root);
        foreach (var mountPoint in MountsBelow(root).OrderByDescending(m => m.Length))
        {
            using var umount = Process.Start("umount", ["-l", mountPoint]);
            umount.WaitForExit(10_000);
        }
    }

    /// <summary>
    /// Mounts a pod may leave behind: all below root but the namespace folders themselves
    /// (netns/, ipcns/, utsns/), which stay shared mount points once made, as /run/netns does.
    /// </summary>
    public static IReadOnlyList<string> PodMountsBelow(string root) =>
        [.. MountsBelow(root).Where(m => !(Path.GetFileName(m) is "netns" or "ipcns" or "utsns"))];

    public static IReadOnlyList<string> MountsBelow(string root) =>
        [.. File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(mountPoint => mountPoint.StartsWith(root + "/", StringComparison.Ordinal))];

    // Processes whose network or IPC namespace is one pinned below root.
    private static void KillProcessesIn(string root)
    {
        var pinned = MountsBelow(root)
            .Where(m => m.Contains("/netns/", StringComparison.Ordinal) || m.Contains("/ipcns/", StringComparison.Ordinal))
            .Select(Inode)
            .Where(inode => inode != 0)
            .ToHashSet();
        if (pinned.Count == 0)
        {
            return;
        }

        foreach (var process in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)))
        {
            if (pinned.Contains(Inode($"/proc/{process}/ns/net")) || pinned.Contains(Inode($"/proc/{process}/ns/ipc")))
            {
                try
                {
                    Process.GetProcessById(int.Parse(process!, System.Globalization.CultureInfo.InvariantCulture)).Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }
        }
    }

    private static ulong Inode(string path)
    {
        try
        {
            // A namespace link reads "net:[4026532281]"; a pinned file is the same inode of nsfs.
            var target = File.ResolveLinkTarget(path, returnFinalTarget: false)?.ToString();
            if (target is not null && target.Contains('[', StringComparison.Ordinal))
            {
                return ulong.Parse(target[(target.IndexOf('[', StringComparison.Ordinal) + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            }

            using var stat = Process.Start(new ProcessStartInfo("stat", ["-L", "-c", "%i", path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = stat.StandardOutput.ReadToEnd();
            stat.WaitForExit(10_000);
            return ulong.TryParse(output.Trim(), out var inode) ? inode : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }
}
