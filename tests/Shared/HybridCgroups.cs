namespace CriO.Tests.Shared;

/// <summary>
/// On a hybrid cgroup host (v1 controllers plus a cgroup2 mount at /sys/fs/cgroup/unified that
/// still holds a controller, hugetlb here), crun refuses every container ("cgroups in hybrid
/// mode not supported, drop all controllers from cgroupv2"). Mounting each such controller as
/// a v1 hierarchy moves it off cgroup2, which the test set-up may do; the mounts stay.
/// </summary>
internal static class HybridCgroups
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>Mounts every controller that has no v1 mount; returns what it did, for test output.</summary>
    public static async Task<string> EnsureV1MountsAsync()
    {
        if (!File.Exists(Path.Combine(CgroupRoot, "unified", "cgroup.controllers")))
        {
            return $"no {CgroupRoot}/unified: not a hybrid host, nothing to do";
        }

        var notes = new List<string>();
        foreach (var controller in UnmountedControllers())
        {
            var target = Path.Combine(CgroupRoot, controller);
            Directory.CreateDirectory(target);
            var (exit, _, errors) = await ChildProcess.RunAsync(
                "mount", ["-t", "cgroup", "-o", controller, "cgroup", target], timeout: TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            notes.Add(exit == 0 ? $"mounted {controller} as v1 at {target}" : $"mount {controller} at {target} failed: {errors.Trim()}");
        }

        return notes.Count == 0 ? "every cgroup controller already has its v1 mount" : string.Join("; ", notes);
    }

    // Controllers on cgroup2, and v1 controllers the kernel keeps bound with no mount left (a
    // hierarchy unmounted earlier): both need a v1 mount.
    private static List<string> UnmountedControllers()
    {
        var mounted = File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(" - ", 2))
            .Where(parts => parts.Length == 2 && parts[1].StartsWith("cgroup ", StringComparison.Ordinal))
            .SelectMany(parts => parts[1].Split(' ')[^1].Split(','))
            .ToHashSet();
        var onCgroup2 = File.ReadAllText(Path.Combine(CgroupRoot, "unified", "cgroup.controllers"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var onV1 = File.ReadLines("/proc/self/cgroup")
            .Select(line => line.Split(':'))
            .Where(fields => fields.Length == 3 && fields[0] != "0" && !fields[1].StartsWith("name=", StringComparison.Ordinal))
            .Select(fields => fields[1])
            .Where(controllers => !controllers.Contains(',', StringComparison.Ordinal));
        return [.. onCgroup2.Concat(onV1).Distinct().Where(c => !mounted.Contains(c))];
    }
}
