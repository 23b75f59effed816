namespace CriO.Server.Sandbox;

/// <summary>
/// Which sysctls a pod may set: only those the kernel keeps per namespace, each needing that
/// namespace to be the pod's own (setting net.* in a host-network pod would change the node).
/// </summary>
public static class NamespacedSysctls
{
    public enum Owner
    {
        None,
        Network,
        Ipc,
        Uts,
    }

    private static readonly HashSet<string> IpcKeys = new(StringComparer.Ordinal)
    {
        "kernel.shmmax", "kernel.shmall", "kernel.shmmni", "kernel.shm_rmid_forced",
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    };

    /// <summary>The namespace a key belongs to; None for a key that would change the node.</summary>
    public static Owner OwnerOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);

        // Keys come with dots or (as the kubelet allows) slashes; neither may climb out of /proc/sys.
        var name = key.Replace('/', '.');
        if (name.Length == 0 || name.Split('.').Any(part => part.Length == 0 || part == ".."))
        {
            return Owner.None;
        }

        if (name.StartsWith("net.", StringComparison.Ordinal))
        {
            return Owner.Network;
        }

        if (IpcKeys.Contains(name) || name.StartsWith("fs.mqueue.", StringComparison.Ordinal))
        {
            return Owner.Ipc;
        }

        return name is "kernel.hostname" or "kernel.domainname" ? Owner.Uts : Owner.None;
    }
}
