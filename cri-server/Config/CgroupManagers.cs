namespace CriO.Server.Config;

/// <summary>The two cgroup drivers the kubelet knows; the names are the config values.</summary>
public static class CgroupManagers
{
    public const string Systemd = "systemd";
    public const string Cgroupfs = "cgroupfs";

    /// <summary>
    /// CRI-O defaults to systemd, which fails on nodes without it; picking by whether systemd is
    /// running (the check sd_booted makes) gives working defaults on both kinds of node.
    /// </summary>
    public static string Detect() => Directory.Exists("/run/systemd/system") ? Systemd : Cgroupfs;
}
