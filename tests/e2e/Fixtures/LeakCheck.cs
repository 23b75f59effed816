using System.Text.Json;

namespace CriO.E2E.Tests.Fixtures;

/// <summary>
/// What a host's pods and containers may leave behind when nothing owns them any more: mounts
/// below the folder, host-local IP allocations, CNI cache entries, pod cgroups, storage
/// containers and layers that no image or container uses, and monitors still running.
/// </summary>
internal static class LeakCheck
{
    /// <summary>A line per thing left behind; empty when the host is clean.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(PodTestHost host, IEnumerable<string> podIds)
    {
        var found = new List<string>();
        found.AddRange((await host.Network.PortsAsync()).Select(v => $"bridge port {v}"));
        found.AddRange((await host.Network.NatRulesAsync()).Where(r => r.StartsWith("-A ", StringComparison.Ordinal)).Select(r => $"nat rule {r}"));
        var namespaces = new[] { "netns", "ipcns", "utsns" }.Select(n => Path.Combine(host.Folder.NamespacesDirectory, n)).Where(Directory.Exists);
        found.AddRange(namespaces.SelectMany(Directory.GetFiles).Select(f => $"namespace file {f}"));
        found.AddRange(Leftovers.PodMountsBelow(host.Folder.Root).Select(m => $"mount {m}"));
        found.AddRange(host.Network.AllocatedIps().Select(ip => $"host-local IP {ip}"));
        found.AddRange(podIds.SelectMany(Sandbox.PodNetworkingTests.CacheEntries).Select(f => $"CNI cache {f}"));
        found.AddRange(host.CgroupFolders().Where(f => !f.EndsWith(host.CgroupRoot, StringComparison.Ordinal)).Select(f => $"cgroup {f}"));
        var storage = Path.Combine(host.Folder.Root, "storage");
        var containers = Records(Path.Combine(storage, "overlay-containers", "containers.json"));
        found.AddRange(containers.Select(c => $"storage container {c.GetProperty("id").GetString()}"));
        found.AddRange(UnusedLayers(storage, containers).Select(l => $"storage layer {l}"));
        found.AddRange(Monitors(host.Folder.Root).Select(pid => $"monitor process {pid}"));
        return found;
    }

    private static List<JsonElement> Records(string file) =>
        File.Exists(file) ? [.. JsonDocument.Parse(File.ReadAllText(file)).RootElement.EnumerateArray()] : [];

    // Layers reachable from no image's top layer and no container's layer, through parents.
    private static IEnumerable<string> UnusedLayers(string storage, List<JsonElement> containers)
    {
        var layers = Records(Path.Combine(storage, "overlay-layers", "layers.json"))
            .ToDictionary(l => l.GetProperty("id").GetString()!, l => l.TryGetProperty("parent", out var p) ? p.GetString() : null);
        var images = Records(Path.Combine(storage, "overlay-images", "images.json"));
        var used = new HashSet<string>();
        foreach (var top in images.Concat(containers).Select(r => r.TryGetProperty("layer", out var l) ? l.GetString() : null))
        {
            for (var layer = top; layer is not null && used.Add(layer); layer = layers.GetValueOrDefault(layer))
            {
            }
        }

        return layers.Keys.Where(l => !used.Contains(l));
    }

    // Monitors started for this host's containers: their command lines name its folder.
    private static IEnumerable<int> Monitors(string root) =>
        Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && IsMonitorOf(pid, root));

    private static bool IsMonitorOf(int pid, string root)
    {
        try
        {
            var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return arguments.Length > 0 && Path.GetFileName(arguments[0]) is "conmon" or "crio-conmon" && arguments.Any(a => a.StartsWith(root, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
