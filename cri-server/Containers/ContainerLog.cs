using Microsoft.Extensions.Logging;

namespace CriO.Server.Containers;

/// <summary>Log messages of containers (event ids 3100-3199).</summary>
internal static partial class ContainerLog
{
    [LoggerMessage(3100, LogLevel.Information, "Created container {Id} ({Name}) in pod {PodId} in {Milliseconds:F1} ms")]
    public static partial void Created(ILogger logger, string id, string name, string podId, double milliseconds);

    [LoggerMessage(3101, LogLevel.Information, "Started container {Id}")]
    public static partial void Started(ILogger logger, string id);

    [LoggerMessage(3102, LogLevel.Information, "Stopped container {Id}: exit code {ExitCode}")]
    public static partial void Stopped(ILogger logger, string id, int exitCode);

    [LoggerMessage(3103, LogLevel.Information, "Removed container {Id}")]
    public static partial void Removed(ILogger logger, string id);

    [LoggerMessage(3104, LogLevel.Information, "Recovered {Count} containers")]
    public static partial void Recovered(ILogger logger, int count);

    [LoggerMessage(3105, LogLevel.Warning, "Skipping container state {File}: {Error}")]
    public static partial void RecoverFailed(ILogger logger, string file, string error);

    [LoggerMessage(3107, LogLevel.Warning, "Container {Id} ({Name}) was left half-made by a daemon that stopped during CreateContainer: undone")]
    public static partial void UndoneCutOff(ILogger logger, string id, string name);

    [LoggerMessage(3106, LogLevel.Warning, "Leaving the monitor cgroup {Cgroups}: {Error}")]
    public static partial void MonitorCgroupLeft(ILogger logger, string cgroups, string error);
}
