namespace CriO.Server.Tests.Stats;

/// <summary>
/// A test that needs root (real cgroups, network namespaces). Skipped with the reason when not
/// root, except in CI (env CI set), which is root: there it runs and fails loudly instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsRoot && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = "needs root: makes cgroups and network namespaces";
        }
    }

    public static bool IsRoot => Tmds.Linux.LibC.geteuid() == 0;
}
