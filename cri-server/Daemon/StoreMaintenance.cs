using System.Text.Json;
using CriO.Server.Config;
using CriO.Storage.Store;

namespace CriO.Server.Daemon;

/// <summary>
/// What happens to the store around a start, as CRI-O's files tell it: no clean_shutdown_file
/// means the last daemon did not stop cleanly (the store is checked and repaired when
/// internal_repair); no version_file (it lives on a tmpfs) means the node rebooted, so the
/// containers of before are dead and are wiped (internal_wipe); a version_file_persist from
/// another major.minor means an upgrade, and images are wiped too. `crio wipe` does the same
/// by hand, and with --force wipes regardless.
/// </summary>
public static class StoreMaintenance
{
    /// <summary>Runs before the pods and containers are recovered; returns what it did, a line each, for the log.</summary>
    public static IReadOnlyList<string> AtStart(CrioConfig config, ContainerStorage storage)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(storage);
        var done = new List<string>();
        if (config.CleanShutdownFile.Length > 0)
        {
            var unclean = !File.Exists(config.CleanShutdownFile);

            // Gone from now on: if this daemon does not stop cleanly, the next one knows.
            if (!unclean)
            {
                File.Delete(config.CleanShutdownFile);
            }
            if (unclean && config.InternalRepair)
            {
                done.AddRange(StoreChecker.Check(storage, repair: true).Select(p => $"store check after an unclean shutdown: {p}"));
            }
        }

        if (config.InternalWipe && Rebooted(config))
        {
            done.AddRange(WipeContainers(storage).Select(id => $"wiped container {id} (the node rebooted)"));
        }

        if (config.InternalWipe && Upgraded(config))
        {
            done.AddRange(WipeImages(storage).Select(id => $"wiped image {id} (crio was upgraded)"));
        }

        WriteVersion(config.VersionFile);
        WriteVersion(config.VersionFilePersist);
        return done;
    }

    /// <summary>Written when the daemon stops cleanly (after SIGTERM), synced to disk.</summary>
    public static void AtCleanShutdown(CrioConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.CleanShutdownFile.Length == 0)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(config.CleanShutdownFile)!);
        using var file = new FileStream(config.CleanShutdownFile, FileMode.Create, FileAccess.Write);
        file.Flush(flushToDisk: true);
    }

    /// <summary>The node rebooted since version_file was written (it lives on a tmpfs).</summary>
    public static bool Rebooted(CrioConfig config) => config.VersionFile.Length > 0 && !File.Exists(config.VersionFile);

    /// <summary>version_file_persist names another major.minor than this crio's.</summary>
    public static bool Upgraded(CrioConfig config) =>
        config.VersionFilePersist.Length > 0 && File.Exists(config.VersionFilePersist)
        && MajorMinor(File.ReadAllText(config.VersionFilePersist).Trim()) != MajorMinor(CrioVersion.Current);

    /// <summary>
    /// Removes the storage of every pod and container of a CRI runtime (pod-id in its metadata;
    /// podman's are left), and the cgroup folders their records name (none are left after a
    /// real reboot; a wipe by hand on a running node finds them): containers first, their
    /// monitors' cgroups being inside their pods'.
    /// </summary>
    public static IReadOnlyList<string> WipeContainers(ContainerStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var wiped = new List<string>();
        var ours = storage.Containers.List().Where(IsCriContainer).ToList();
        var pods = ours.Where(c => File.Exists(Record(storage, c.Id, Sandbox.SandboxStore.RecordFileName))).ToList();
        foreach (var container in ours.Except(pods).Concat(pods))
        {
            RemoveCgroups(CgroupsOf(storage, container.Id));
            storage.UnmountContainer(container.Id, force: true);
            storage.DeleteContainer(container.Id);
            wiped.Add(container.Id);
        }

        return wiped;
    }

    private static string Record(ContainerStorage storage, string id, string name) => Path.Combine(storage.Directories.ContainerUserData(id).Graph, name);

    private static IReadOnlyList<string> CgroupsOf(ContainerStorage storage, string id)
    {
        try
        {
            var pod = Record(storage, id, Sandbox.SandboxStore.RecordFileName);
            if (File.Exists(pod))
            {
                return Sandbox.SandboxStore.Load(pod).CreatedCgroups;
            }

            var container = Record(storage, id, Containers.ContainerStore.RecordFileName);
            return File.Exists(container) ? Containers.ContainerStore.Load(container).MonitorCgroups : [];
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidDataException)
        {
            return [];
        }
    }

    // Deepest first, through the cgroupfs driver's removal; systemd units went with the reboot
    // (or with their processes). A folder still in use stays, and the rest are still tried.
    private static void RemoveCgroups(IReadOnlyList<string> folders)
    {
        var cgroupfs = new Sandbox.Cgroups.CgroupfsManager(Sandbox.Cgroups.CgroupMounts.Read());
        foreach (var folder in folders.Reverse().Where(f => f.StartsWith('/')))
        {
            try
            {
                cgroupfs.Remove([folder]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Still in use: left as it is.
            }
        }
    }

    /// <summary>Removes every image no container uses (and its layers).</summary>
    public static IReadOnlyList<string> WipeImages(ContainerStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var used = storage.Containers.List().Select(c => c.ImageId).ToHashSet(StringComparer.Ordinal);
        var wiped = new List<string>();
        foreach (var image in storage.Images.List().Where(i => !used.Contains(i.Id)))
        {
            storage.DeleteImage(image.Id);
            wiped.Add(image.Id);
        }

        return wiped;
    }

    /// <summary>A pod's or container's storage made by a CRI runtime (CRI-O or us): its metadata names its pod.</summary>
    public static bool IsCriContainer(Storage.Metadata.ContainerRecord container)
    {
        if (container.Metadata is not { Length: > 0 } metadata)
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(metadata);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("pod-id", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void WriteVersion(string file)
    {
        if (file.Length == 0)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, CrioVersion.Current + "\n");
    }

    private static string MajorMinor(string version) => string.Join('.', version.Split('.').Take(2));
}
