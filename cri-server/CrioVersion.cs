using System.Reflection;

namespace CriO.Server;

/// <summary>The daemon's own version, from the assembly (set in the project file).</summary>
public static class CrioVersion
{
    public const string RuntimeName = "crio";

    /// <summary>The CRI API version this daemon serves.</summary>
    public const string CriApiVersion = "v1";

    public static string Current { get; } = Read();

    private static string Read()
    {
        var informational = typeof(CrioVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

        // The SDK appends "+<commit>"; the kubelet and crictl show the plain version.
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
