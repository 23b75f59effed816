namespace CriO.Server.Containers;

public sealed partial class ContainerManager
{
    private FileSystemWatcher? _exitWatcher;

    /// <summary>
    /// Notices exits as their monitors write them (inotify on the exits folder), so that a
    /// container that ends on its own is EXITED, and its stopped event sent, at once rather than
    /// at the next look. Exits from before the watch (while the daemon was down) are read now.
    /// </summary>
    public void WatchExits()
    {
        var folder = daemon.Config.Runtime.ContainerExitsDir;
        Directory.CreateDirectory(folder);
        _exitWatcher = new FileSystemWatcher(folder)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite,
            IncludeSubdirectories = false,
        };

        // crio-conmon renames a whole file into place; other monitors create it, then write it.
        _exitWatcher.Created += (_, e) => RefreshExited(e.Name);
        _exitWatcher.Changed += (_, e) => RefreshExited(e.Name);
        _exitWatcher.Renamed += (_, e) => RefreshExited(e.Name);

        // Too many events at once (the kernel's queue overflowed): look at every container.
        _exitWatcher.Error += (_, _) => RefreshAll();
        _exitWatcher.EnableRaisingEvents = true;
        RefreshAll();
    }

    private void RefreshAll()
    {
        foreach (var container in store.All)
        {
            RefreshExited(container.Id);
        }
    }

    private void RefreshExited(string? id)
    {
        if (id is null || store.Find(id) is not { } container || container.Id != id)
        {
            return;
        }

        // After whatever Start, Stop or Remove is doing to it: a container that exits while it
        // starts must be seen running first, and one being removed is left alone.
        _ = Task.Run(async () =>
        {
            await container.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (store.Find(id) == container)
                {
                    Refresh(container);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The exit file is still half-written: its next change settles it.
            }
            finally
            {
                container.Gate.Release();
            }
        });
    }
}
