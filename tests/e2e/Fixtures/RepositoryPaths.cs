namespace CriO.E2E.Tests.Fixtures;

/// <summary>Where the repository and the built crio binary are, seen from the test assembly.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The same build configuration (Debug/Release) as the tests themselves.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>CRIO_BINARY overrides, to run the suite against an installed or published crio.</summary>
    public static string CrioBinary { get; } =
        Environment.GetEnvironmentVariable("CRIO_BINARY") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(Root, "cri-server", "bin", Configuration, "net10.0", "crio");

    public static string CriProto { get; } = Path.Combine(Root, "proto", "runtime", "v1", "api.proto");

    public static string NodeClients { get; } = Path.Combine(Root, "tests", "e2e", "node");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CriO.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"CriO.sln not found above {AppContext.BaseDirectory}");
    }
}
