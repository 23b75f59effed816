using System.Diagnostics;
using System.Globalization;
using CriO.Tests.Shared;

namespace CriO.Bench.Sandbox;

/// <summary>
/// Finding and removing what a runtime under test leaves on the host when it is stopped in the
/// middle of its work: processes that name its folder, processes in its cgroups, mounts under
/// its folder, and its cgroup folders. Every process is ended by its pid, never by name; every
/// loop is bounded; nothing here throws (cleanup reports and goes on).
/// </summary>
internal static class HostTraces
{
    /// <summary>Runs one cleanup step; a failure is reported and the next step still runs.</summary>
    public static async Task StepAsync(string step, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"  {step}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>SIGKILLs every process whose command line contains <paramref name="text"/> (a unique temp path); returns how many.</summary>
    public static int KillProcessesNaming(string text)
    {
        var killed = 0;
        foreach (var pid in AllPids())
        {
            string commandLine;
            try
            {
                commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }

            if (commandLine.Contains(text, StringComparison.Ordinal) && Kill(pid))
            {
                Console.Error.WriteLine($"  killed leftover process {pid}: {commandLine.Trim()}");
                killed++;
            }
        }

        return killed;
    }

    /// <summary>
    /// Kills every process in the cgroup tree <paramref name="relativePath"/> (e.g. /crio-bench-x)
    /// of every mounted hierarchy, then removes its folders, deepest first; retries for up to
    /// <paramref name="bound"/> while killed processes are still being reaped.
    /// </summary>
    public static async Task RemoveCgroupTreeAsync(string relativePath, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var folders = CgroupMounts()
                .Select(mount => Path.Join(mount, relativePath))
                .Where(Directory.Exists)
                .SelectMany(root => Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
                .OrderByDescending(folder => folder.Length)
                .ToList();
            if (folders.Count == 0)
            {
                return;
            }

            // A process is in one folder of every hierarchy: kill each once.
            var pids = folders.SelectMany(folder => ReadPids(Path.Join(folder, "cgroup.procs"))).ToHashSet();
            foreach (var pid in pids.Where(Kill))
            {
                Console.Error.WriteLine($"  killed leftover process {pid} in cgroup {relativePath}");
            }

            var left = 0;
            foreach (var folder in folders)
            {
                try
                {
                    // A cgroup folder holds only kernel files: rmdir, not a recursive delete.
                    Directory.Delete(folder);
                }
                catch (IOException)
                {
                    left++;
                }
            }

            if (left == 0)
            {
                return;
            }

            if (clock.Elapsed > bound)
            {
                Console.Error.WriteLine($"  {left} cgroup folders under {relativePath} could not be removed within {bound.TotalSeconds:F0} s");
                return;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Lazily unmounts every mount point strictly under <paramref name="root"/>, deepest first (a few passes, for stacked mounts).</summary>
    public static async Task UnmountUnderAsync(string root)
    {
        var prefix = root.TrimEnd('/') + "/";
        for (var pass = 0; pass < 5; pass++)
        {
            var mounts = MountPoints().Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).Distinct().OrderByDescending(m => m.Length).ToList();
            if (mounts.Count == 0)
            {
                return;
            }

            foreach (var mount in mounts)
            {
                var (exitCode, _, errors) = await ChildProcess.RunAsync("umount", ["-l", mount], timeout: TimeSpan.FromSeconds(10));
                if (exitCode != 0)
                {
                    Console.Error.WriteLine($"  umount -l {mount}: {errors.Trim()}");
                }
            }
        }
    }

    /// <summary>Mount points from /proc/self/mountinfo (field 5), with their octal escapes decoded.</summary>
    public static IEnumerable<string> MountPoints() =>
        File.ReadAllLines("/proc/self/mountinfo").Select(line => Unescape(line.Split(' ')[4]));

    private static IEnumerable<string> CgroupMounts() =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(fields => Array.IndexOf(fields, "-") is var separator && separator > 0 && fields[separator + 1] is "cgroup" or "cgroup2")
            .Select(fields => Unescape(fields[4]));

    private static IEnumerable<int> AllPids()
    {
        var self = Environment.ProcessId;
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != self)
            {
                yield return pid;
            }
        }
    }

    private static IEnumerable<int> ReadPids(string procsFile)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(procsFile);
        }
        catch (IOException)
        {
            yield break;
        }

        foreach (var line in lines)
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId)
            {
                yield return pid;
            }
        }
    }

    private static bool Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }
}
