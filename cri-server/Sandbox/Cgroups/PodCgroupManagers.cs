using CriO.Server.Config;

namespace CriO.Server.Sandbox.Cgroups;

/// <summary>Picks the cgroup driver the config names.</summary>
public static class PodCgroupManagers
{
    public static IPodCgroupManager For(string cgroupManager) => cgroupManager == CgroupManagers.Systemd
        ? new SystemdManager()
        : new CgroupfsManager(CgroupMounts.Read());
}
