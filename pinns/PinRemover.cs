using CriO.Pinns.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Pinns;

/// <summary>
/// <c>crio-pinns --remove --dir DIR --file NAME</c>: unmounts and deletes DIR/{net,ipc,uts}ns/NAME,
/// whichever exist. Repeatable: pins that are already gone are success, as the CRI asks of
/// StopPodSandbox and RemovePodSandbox, so the daemon may run it again after a crash.
/// </summary>
internal static class PinRemover
{
    /// <summary>A bound on mounts stacked on one pin (normally one).</summary>
    private const int MaxStackedMounts = 16;

    /// <summary>Removes every pin named <paramref name="file"/>; every kind is tried even when one fails.</summary>
    public static void Remove(string directory, string file)
    {
        var failures = new List<string>();
        foreach (var kind in NamespaceKind.All)
        {
            try
            {
                RemovePin(kind.PinPath(directory, file));
            }
            catch (IOException e)
            {
                failures.Add(e.Message);
            }
        }

        if (failures.Count > 0)
        {
            throw new IOException(string.Join("; ", failures));
        }
    }

    /// <summary>
    /// Detaches every mount on <paramref name="pin"/> (never following a symbolic link), then
    /// deletes the file. Also the undo step of a pin made by <see cref="SandboxPinner"/>.
    /// </summary>
    public static void RemovePin(string pin)
    {
        for (var i = 0; i < MaxStackedMounts; i++)
        {
            var error = NamespaceCalls.TryUnmount(pin);
            if (error == EINVAL || error == ENOENT)
            {
                break; // nothing (more) mounted there, or no such file
            }

            if (error != 0)
            {
                throw NamespaceCalls.Error(error, "umount", pin);
            }
        }

        var unlinkError = NamespaceCalls.TryUnlink(pin);
        if (unlinkError != 0 && unlinkError != ENOENT)
        {
            throw NamespaceCalls.Error(unlinkError, "unlink", pin);
        }
    }
}
