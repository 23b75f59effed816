using System.Diagnostics;
using System.Text.Json;
using CriO.Tests.Shared;

namespace CriO.Conmon.Client.Tests;

/// <summary>
/// One container's folders in a fresh temp folder: an OCI bundle (static busybox as the whole
/// rootfs, config.json as literal JSON with ociVersion 1.0.2, which runc 1.1.5 accepts), a runc
/// root, exit, socket and persist folders, and a cgroup path of its own. Disposing removes the
/// container (runc delete --force), kills conmon if it still runs, and removes the folders and
/// the cgroup, even when the test failed.
/// </summary>
internal sealed class TestBundle : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private TestBundle(string root, string id, IReadOnlyList<string> args, string monitor)
    {
        Root = root;
        Id = id;
        CgroupName = "crio-conmon-test-" + id;
        Directory.CreateDirectory(Path.Combine(BundlePath, "rootfs"));
        File.Copy(ConmonFactAttribute.Busybox, Path.Combine(BundlePath, "rootfs", "busybox"));
        File.SetUnixFileMode(Path.Combine(BundlePath, "rootfs", "busybox"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(BundlePath, "config.json"), ConfigJson(args, "/" + CgroupName));
        Options = new MonitorOptions
        {
            ConmonPath = monitor,
            RuntimePath = ConmonFactAttribute.Runc,
            RuntimeRoot = Path.Combine(root, "runc"),
            ContainerId = id,
            Name = "k8s_test_" + id,
            BundlePath = BundlePath,
            ConmonPidFile = Path.Combine(root, "conmon.pid"),
            LogPath = Path.Combine(root, "logs", "container.log"),
            ExitDirectory = Path.Combine(root, "exits"),
            SocketDirectory = Path.Combine(root, "sockets"),
            PersistDirectory = Path.Combine(root, "persist"),
            LogLevel = "debug",
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Options.LogPath)!);
    }

    public string Root { get; }

    public string Id { get; }

    public string CgroupName { get; }

    public string BundlePath => Path.Combine(Root, "bundle");

    public string RootFs => Path.Combine(BundlePath, "rootfs");

    public MonitorOptions Options { get; }

    /// <summary>A bundle whose container the monitor at <paramref name="monitor"/> runs.</summary>
    public static TestBundle CreateFor(string monitor, params string[] args)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var root = Directory.CreateTempSubdirectory("crio-conmon-").FullName;
        return new TestBundle(root, id, args, monitor);
    }

    public Task<(int ExitCode, string Output, string Errors)> RuncAsync(params string[] args) =>
        ChildProcess.RunAsync(Options.RuntimePath, ["--root", Options.RuntimeRoot!, .. args], timeout: Bound);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RuncAsync("delete", "--force", Id).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            // Best effort: the folders and cgroup still go below.
        }

        if (MonitorFiles.ReadPid(Options.ConmonPidFile) is { } conmonPid)
        {
            try
            {
                using var conmon = Process.GetProcessById(conmonPid);
                conmon.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }

            await WaitGoneAsync(conmonPid).ConfigureAwait(false);
        }

        foreach (var hierarchy in CgroupFolders())
        {
            try
            {
                Directory.Delete(hierarchy);
            }
            catch (IOException)
            {
                // Still busy or already gone; nothing else to do.
            }
        }

        Directory.Delete(Root, recursive: true);
    }

    /// <summary>True once /proc has no such pid (bounded).</summary>
    public static async Task<bool> WaitGoneAsync(int pid)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Bound)
        {
            if (!Directory.Exists($"/proc/{pid}") || ProcessState.IsZombie(pid))
            {
                return true;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>This container's cgroup folders, under cgroup v2 or any v1 hierarchy.</summary>
    private IEnumerable<string> CgroupFolders()
    {
        var unified = Path.Combine("/sys/fs/cgroup", CgroupName);
        if (Directory.Exists(unified))
        {
            yield return unified;
        }

        foreach (var hierarchy in Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup") : [])
        {
            var folder = Path.Combine(hierarchy, CgroupName);
            if (Directory.Exists(folder))
            {
                yield return folder;
            }
        }
    }

    private static string ConfigJson(IReadOnlyList<string> args, string cgroupsPath)
    {
        var argv = JsonSerializer.Serialize(args, TestJsonContext.Default.IReadOnlyListString);
        var cgroup = JsonSerializer.Serialize(cgroupsPath, TestJsonContext.Default.String);
        return $$"""
            {
              "ociVersion": "1.0.2",
              "process": {
                "terminal": false,
                "user": { "uid": 0, "gid": 0 },
                "args": {{argv}},
                "env": ["PATH=/", "TERM=xterm"],
                "cwd": "/",
                "capabilities": {
                  "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                  "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                  "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
                },
                "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }],
                "noNewPrivileges": true
              },
              "root": { "path": "rootfs", "readonly": false },
              "hostname": "conmon-test",
              "mounts": [
                { "destination": "/proc", "type": "proc", "source": "proc" },
                { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
                { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
                { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
                { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"] },
                { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"] }
              ],
              "linux": {
                "cgroupsPath": {{cgroup}},
                "resources": { "devices": [{ "allow": false, "access": "rwm" }] },
                "namespaces": [{ "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }],
                "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"],
                "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
              }
            }
            """;
    }
}
