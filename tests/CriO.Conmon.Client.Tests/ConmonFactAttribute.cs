namespace CriO.Conmon.Client.Tests;

/// <summary>
/// A test that runs Debian's conmon (2.1.6) and runc (1.1.5) on a busybox bundle. It needs root
/// (namespaces, mounts, cgroups) and <c>apt-get install conmon runc busybox-static</c>; without
/// them it is reported as skipped, with the reason, except under CI, which runs as root with
/// them installed, where a skip would hide a missing install step.
/// </summary>
public sealed class ConmonFactAttribute : FactAttribute
{
    public const string Conmon = "/usr/bin/conmon";
    public const string Runc = "/usr/sbin/runc";
    public const string Busybox = "/bin/busybox";

    public ConmonFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
        {
            return;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: runc creates namespaces, mounts and cgroups";
        }
        else if (!File.Exists(Conmon) || !File.Exists(Runc) || !File.Exists(Busybox))
        {
            Skip = "needs conmon, runc and a static busybox (apt-get install conmon runc busybox-static)";
        }
    }
}
