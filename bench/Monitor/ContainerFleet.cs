using System.Diagnostics;
using CriO.Conmon.Client;
using CriO.Tests.Shared;

namespace CriO.Bench.Monitor;

/// <summary>
/// Busybox containers under a chosen monitor, each a bundle of its own (static busybox as the
/// rootfs, a cgroup crio-bench-monitor-ID), started with runc once the monitor reported the pid.
/// RemoveAllAsync kills and deletes them, waits for their monitors, and removes their cgroups.
/// </summary>
internal sealed class ContainerFleet(string root) : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly ConmonLauncher _launcher = new();
    private readonly List<(string Id, int MonitorPid)> _running = [];

    private string RuncRoot => Path.Join(root, "runc");

    /// <summary>Creates (timed: spawn to the pid on the sync pipe) and starts one container.</summary>
    public async Task<(TimeSpan Elapsed, int MonitorPid)> StartAsync(string monitor, string name)
    {
        var id = $"{name}-{Guid.NewGuid():N}"[..32];
        var folder = Path.Join(root, id);
        var bundle = Path.Join(folder, "bundle");
        Directory.CreateDirectory(Path.Join(bundle, "rootfs"));
        File.Copy("/bin/busybox", Path.Join(bundle, "rootfs", "busybox"));
        File.SetUnixFileMode(Path.Join(bundle, "rootfs", "busybox"), (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(Path.Join(bundle, "config.json"), ConfigJson("/crio-bench-monitor-" + id));
        var options = new MonitorOptions
        {
            ConmonPath = monitor,
            RuntimePath = "/usr/sbin/runc",
            RuntimeRoot = RuncRoot,
            ContainerId = id,
            Name = id,
            BundlePath = bundle,
            ConmonPidFile = Path.Join(folder, "conmon.pid"),
            LogPath = Path.Join(folder, "container.log"),
            ExitDirectory = Path.Join(root, "exits"),
            SocketDirectory = Path.Join(root, "sockets"),
            PersistDirectory = folder,
        };

        var clock = Stopwatch.StartNew();
        var started = await _launcher.StartAsync(options, Bound);
        var elapsed = clock.Elapsed;
        var monitorPid = started.ConmonPid ?? throw new InvalidOperationException($"{monitor} wrote no pid file");
        _running.Add((id, monitorPid));
        await RuncAsync("start", id);
        return (elapsed, monitorPid);
    }

    public async Task RemoveAllAsync()
    {
        foreach (var (id, monitorPid) in _running)
        {
            await RuncAsync("delete", id, check: false);
            var watch = Stopwatch.StartNew();
            while (Directory.Exists($"/proc/{monitorPid}") && !ProcessGone(monitorPid) && watch.Elapsed < Bound)
            {
                await Task.Delay(10);
            }

            foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
            {
                var cgroup = Path.Join(hierarchy, "crio-bench-monitor-" + id);
                if (Directory.Exists(cgroup))
                {
                    try
                    {
                        Directory.Delete(cgroup);
                    }
                    catch (IOException)
                    {
                        // Busy still; the next run's cleanup or a reboot takes it.
                    }
                }
            }

            Directory.Delete(Path.Join(root, id), recursive: true);
        }

        _running.Clear();
    }

    public async ValueTask DisposeAsync() => await RemoveAllAsync();

    // A zombie waits for its parent (init, for a monitor's second stage) to reap it: gone for us.
    private static bool ProcessGone(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task RuncAsync(string command, string id, bool check = true)
    {
        string[] arguments = command == "delete" ? ["--root", RuncRoot, "delete", "--force", id] : ["--root", RuncRoot, command, id];
        var (exitCode, _, errors) = await ChildProcess.RunAsync("/usr/sbin/runc", arguments, timeout: Bound);
        if (check && exitCode != 0)
        {
            throw new InvalidOperationException($"runc {command} {id}: {errors}");
        }
    }

    private static string ConfigJson(string cgroupsPath) => $$"""
        {
          "ociVersion": "1.0.2",
          "process": {
            "terminal": false, "user": { "uid": 0, "gid": 0 }, "args": ["/busybox", "sleep", "3600"],
            "env": ["PATH=/"], "cwd": "/", "noNewPrivileges": true,
            "capabilities": { "bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"] }
          },
          "root": { "path": "rootfs", "readonly": true },
          "hostname": "bench",
          "mounts": [
            { "destination": "/proc", "type": "proc", "source": "proc" },
            { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] }
          ],
          "linux": {
            "cgroupsPath": "{{cgroupsPath}}",
            "resources": { "devices": [{ "allow": false, "access": "rwm" }] },
            "namespaces": [{ "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }]
          }
        }
        """;
}
