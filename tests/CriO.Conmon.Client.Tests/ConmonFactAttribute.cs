namespace CriO.Conmon.Client.Tests;

/// <summary>
/// A test that runs Debian's conmon (2.1.6) and runc (1.1.5) on a busybox bundle (and, as a
/// theory over <see cref="Monitors"/>, CriO's crio-conmon the same way). It needs root
/// (namespaces, mounts, cgroups) and <c>apt-get install conmon runc busybox-static</c>; without
/// them it is reported as skipped, with the reason, except under CI, which runs as root with
/// them installed, where a skip would hide a missing install step.
/// </summary>
public class ConmonFactAttribute : FactAttribute
{
    public const string Conmon = "/usr/bin/conmon";
    public const string Runc = "/usr/sbin/runc";
    public const string Busybox = "/bin/busybox";

    /// <summary>Both monitors, for a theory that must hold for each: upstream's and ours.</summary>
    public static TheoryData<string> Monitors => new() { Conmon, CrioConmon };

    /// <summary>
    /// CriO's monitor as users get it: the NativeAOT build that scripts/test.sh publishes beside
    /// crio (CRIO_CONMON_BINARY), else the repository's out/ folder.
    /// </summary>
    public static string CrioConmon =>
        Environment.GetEnvironmentVariable("CRIO_CONMON_BINARY") is { Length: > 0 } path ? path : Path.Join(RepositoryRoot(), "out", "crio-conmon");

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Join(folder.FullName, "CriO.sln")))
            {
                return folder.FullName;
            }
        }

        return "/nonexistent";
    }

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
        else if (!File.Exists(CrioConmon))
        {
            Skip = $"needs crio-conmon at {CrioConmon} (scripts/test.sh publishes it)";
        }
    }
}

/// <summary>The same conditions as <see cref="ConmonFactAttribute"/>, for a theory over the monitors.</summary>
public sealed class ConmonTheoryAttribute : TheoryAttribute
{
    public ConmonTheoryAttribute()
    {
        Skip = new ConmonFactAttribute().Skip;
    }
}
