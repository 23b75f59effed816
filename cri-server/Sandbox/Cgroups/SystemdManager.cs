using System.Diagnostics;
using System.Globalization;

namespace CriO.Server.Sandbox.Cgroups;

/// <summary>
/// The systemd driver: cgroup_parent is a slice the kubelet made (kubepods-besteffort-podUID.slice),
/// and a pod's pause process goes into a transient scope crio-ID.scope in that slice, asked of
/// systemd over D-Bus (busctl, which ships with systemd), since writing into systemd's tree
/// behind its back makes it undo the change.
/// </summary>
public sealed class SystemdManager : IPodCgroupManager
{
    private const string ScopePrefix = "systemd:";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    public string Name => "systemd";

    /// <summary>Whether systemd runs this node (what sd_booted checks).</summary>
    public static bool IsRunning => Directory.Exists("/run/systemd/system");

    public PodCgroup CreatePod(string parent, string podId)
    {
        var slice = parent.Length == 0 ? "system.slice" : parent;
        if (!slice.EndsWith(".slice", StringComparison.Ordinal) || slice.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"cgroup_parent \"{parent}\" is not a systemd slice name (NAME.slice) as the systemd cgroup driver needs");
        }

        return new PodCgroup(slice, [], []);
    }

    public PodCgroup AddProcess(PodCgroup pod, string podId, int pid)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var scope = $"crio-{podId}.scope";
        StartScope(scope, pod.Parent, pid, delegated: true);
        return pod with { Created = [.. pod.Created, ScopePrefix + scope], ProcessCgroups = [SlicePath(pod.Parent) + "/" + scope] };
    }

    public IReadOnlyList<string> PlanPod(string parent, string podId) => [$"{ScopePrefix}crio-{podId}.scope"];

    public IReadOnlyList<string> PlanMonitor(string podParent, string containerId, string monitorCgroup) =>
        [$"{ScopePrefix}crio-conmon-{containerId}.scope"];

    public IReadOnlyList<string> AddMonitor(string podParent, string containerId, int pid, string monitorCgroup)
    {
        var slice = monitorCgroup is "" or "pod" ? CreatePod(podParent, containerId).Parent : monitorCgroup;
        if (!slice.EndsWith(".slice", StringComparison.Ordinal) || slice.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"monitor cgroup \"{monitorCgroup}\" is neither \"pod\" nor a systemd slice name (NAME.slice)");
        }

        var scope = $"crio-conmon-{containerId}.scope";
        StartScope(scope, slice, pid, delegated: false);
        return [ScopePrefix + scope];
    }

    // A transient scope holding one process; systemd drops it when that process and its children are gone.
    private static void StartScope(string scope, string slice, int pid, bool delegated) =>
        Busctl("StartTransientUnit", "ssa(sv)a(sa(sv))", scope, "fail", "3",
            "PIDs", "au", "1", pid.ToString(CultureInfo.InvariantCulture),
            "Slice", "s", slice,
            "Delegate", "b", delegated ? "true" : "false",
            "0");

    public void Remove(IReadOnlyList<string> created)
    {
        ArgumentNullException.ThrowIfNull(created);
        foreach (var unit in created.Where(c => c.StartsWith(ScopePrefix, StringComparison.Ordinal)))
        {
            try
            {
                Busctl("StopUnit", "ss", unit[ScopePrefix.Length..], "fail");
            }
            catch (InvalidOperationException e) when (e.Message.Contains("not loaded", StringComparison.Ordinal))
            {
                // Gone already (its process exited, so systemd dropped the scope).
            }
        }
    }

    /// <summary>The cgroup path of a slice: a-b-c.slice is /a.slice/a-b.slice/a-b-c.slice.</summary>
    public static string SlicePath(string slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        if (slice == "-.slice")
        {
            return "/";
        }

        var name = slice[..^".slice".Length];
        var path = "";
        var prefix = "";
        foreach (var part in name.Split('-'))
        {
            if (part.Length == 0)
            {
                throw new ArgumentException($"\"{slice}\" is not a valid slice name");
            }

            prefix = prefix.Length == 0 ? part : prefix + "-" + part;
            path += "/" + prefix + ".slice";
        }

        return path;
    }

    private static void Busctl(string method, params string[] arguments)
    {
        var start = new ProcessStartInfo("busctl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])["call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", method, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("busctl did not start");
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CallTimeout))
        {
            process.Kill();
            throw new InvalidOperationException($"systemd {method} did not answer within {CallTimeout.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"systemd {method}: {error.Result.Trim()}");
        }
    }
}
