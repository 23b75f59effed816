namespace CriO.Storage.Tests.Metadata;

/// <summary>
/// A test that drives Debian's podman (4.3, containers/storage 1.43) against a store in a
/// temporary folder. It needs root (the overlay driver) and podman on PATH
/// (<c>apt-get install podman</c>); without them it is reported as skipped, with the reason, except
/// under CI, where scripts/test.sh installs podman and a skip would hide a missing install step.
/// </summary>
public sealed class PodmanFactAttribute : FactAttribute
{
    public PodmanFactAttribute()
    {
        // CI installs podman and runs as root: there a missing podman must fail the test, not skip it.
        if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
        {
            return;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: containers/storage's overlay driver mounts";
        }
        else if (FindPodman() is null)
        {
            Skip = "needs podman on PATH (apt-get install podman)";
        }
    }

    /// <summary>The podman executable on PATH, or null.</summary>
    public static string? FindPodman() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "podman"))
            .FirstOrDefault(File.Exists);
}
