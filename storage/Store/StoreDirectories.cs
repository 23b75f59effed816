namespace CriO.Storage.Store;

/// <summary>Where each part of the store lives under the graph root (G) and run root (R), per FORMAT.md.</summary>
public sealed class StoreDirectories
{
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public StoreDirectories(string graphRoot, string runRoot, string driver = "overlay")
    {
        ArgumentException.ThrowIfNullOrEmpty(graphRoot);
        ArgumentException.ThrowIfNullOrEmpty(runRoot);
        if (driver != "overlay")
        {
            throw new ArgumentException($"storage driver \"{driver}\" is not supported; only overlay is", nameof(driver));
        }

        GraphRoot = Path.GetFullPath(graphRoot);
        RunRoot = Path.GetFullPath(runRoot);
    }

    public string GraphRoot { get; }

    public string RunRoot { get; }

    public string LayersJson => Path.Combine(GraphRoot, "overlay-layers", "layers.json");

    public string LayersLock => Path.Combine(GraphRoot, "overlay-layers", "layers.lock");

    public string TarSplit(string layerId) => Path.Combine(GraphRoot, "overlay-layers", layerId + ".tar-split.gz");

    public string MountPointsJson => Path.Combine(RunRoot, "overlay-layers", "mountpoints.json");

    public string MountPointsLock => Path.Combine(RunRoot, "overlay-layers", "mountpoints.lock");

    public string ImagesJson => Path.Combine(GraphRoot, "overlay-images", "images.json");

    public string ImagesLock => Path.Combine(GraphRoot, "overlay-images", "images.lock");

    public string ImageDirectory(string imageId) => Path.Combine(GraphRoot, "overlay-images", imageId);

    public string ContainersJson => Path.Combine(GraphRoot, "overlay-containers", "containers.json");

    public string ContainersLock => Path.Combine(GraphRoot, "overlay-containers", "containers.lock");

    public string ContainerDirectory(string containerId) => Path.Combine(GraphRoot, "overlay-containers", containerId);

    /// <summary>The persistent per-container folder (G) and the volatile one (R).</summary>
    public (string Graph, string Run) ContainerUserData(string containerId) =>
        (Path.Combine(GraphRoot, "overlay-containers", containerId, "userdata"), Path.Combine(RunRoot, "overlay-containers", containerId, "userdata"));

    /// <summary>
    /// Our layer staging area: inside the driver's home, because containers/storage bind-mounts
    /// that folder on itself and a rename into it from elsewhere in G would fail with EXDEV.
    /// </summary>
    public string Staging => Path.Combine(GraphRoot, "overlay", "crio-staging");

    public void Create()
    {
        foreach (var directory in new[] { GraphRoot, RunRoot, Path.Combine(GraphRoot, "mounts"), Path.Combine(GraphRoot, "tmp") })
        {
            Directory.CreateDirectory(directory, PrivateMode);
        }
    }
}
