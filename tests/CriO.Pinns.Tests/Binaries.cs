using System.Reflection;

namespace CriO.Pinns.Tests;

/// <summary>
/// The executables under test: the apphosts that the build of pinns/ and pause/ made for this
/// configuration (the project references build them first; their paths are written into this
/// assembly at build time), or the ones CRIO_PINNS_BINARY and CRIO_PAUSE_BINARY name, e.g. the
/// NativeAOT builds in out/.
/// </summary>
internal static class Binaries
{
    public static string Pinns { get; } = Locate("CRIO_PINNS_BINARY", "CriO.Pinns.Binary");

    public static string Pause { get; } = Locate("CRIO_PAUSE_BINARY", "CriO.Pause.Binary");

    private static string Locate(string variable, string metadataKey)
    {
        var path = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : typeof(Binaries).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == metadataKey).Value!;
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built (set {variable} to use another build)", path);
    }
}
