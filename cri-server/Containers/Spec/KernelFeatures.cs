namespace CriO.Server.Containers.Spec;

/// <summary>What the node's kernel offers, read once from /sys.</summary>
internal static class KernelFeatures
{
    private static readonly Lazy<bool> V2 = new(() => File.Exists("/sys/fs/cgroup/cgroup.controllers"));
    private static readonly Lazy<bool> Swap = new(ProbeSwap);
    private static readonly Lazy<bool> AppArmorOn = new(ProbeAppArmor);

    /// <summary>The unified hierarchy is mounted at /sys/fs/cgroup.</summary>
    public static bool CgroupV2 => V2.Value;

    /// <summary>Swap is accounted, so a memory+swap limit can be set (CRI-O checks the same before setting it).</summary>
    public static bool SwapAccounting => Swap.Value;

    /// <summary>AppArmor is enabled in the kernel, so a profile name can be applied.</summary>
    public static bool AppArmor => AppArmorOn.Value;

    private static bool ProbeSwap()
    {
        if (!CgroupV2)
        {
            return File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
        }

        // The root cgroup has no memory.swap.max; any child that has the memory controller shows it.
        try
        {
            return Directory.EnumerateDirectories("/sys/fs/cgroup").Any(d => File.Exists(Path.Join(d, "memory.swap.max")));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool ProbeAppArmor()
    {
        try
        {
            return Directory.Exists("/sys/kernel/security/apparmor")
                && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
