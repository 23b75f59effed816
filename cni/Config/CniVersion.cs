namespace CriO.Cni.Config;

/// <summary>
/// Spec version comparisons. What changed between versions matters to the runtime: chaining
/// with prevResult on ADD came with 0.3.0; CHECK, and prevResult on DEL, with 0.4.0.
/// </summary>
internal static class CniVersion
{
    /// <summary>Whether <paramref name="version"/> is at least 0.4.0: CHECK exists and DEL gets the cached result.</summary>
    public static bool SupportsCheck(string version) => AtLeast(version, 0, 4);

    /// <summary>
    /// Whether <paramref name="version"/> ("1.0.0", "0.4.0", ...) is at least major.minor. An
    /// empty or unparsable version counts as 0.1.0, the spec's version before it carried one.
    /// </summary>
    public static bool AtLeast(string version, int major, int minor)
    {
        var (vMajor, vMinor) = Parse(version);
        return vMajor != major ? vMajor > major : vMinor >= minor;
    }

    private static (int Major, int Minor) Parse(string version)
    {
        var parts = (version ?? "").Split('.');
        return parts.Length >= 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minor)
                ? (major, minor)
                : (0, 1);
    }
}
