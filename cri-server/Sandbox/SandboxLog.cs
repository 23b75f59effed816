using Microsoft.Extensions.Logging;

namespace CriO.Server.Sandbox;

/// <summary>Log messages of pod sandboxes (event ids 3000-3099).</summary>
internal static partial class SandboxLog
{
    [LoggerMessage(3000, LogLevel.Information, "Ran pod sandbox {Id} ({Name}) in {Milliseconds:F1} ms, IPs [{Ips}]")]
    public static partial void Ran(ILogger logger, string id, string name, double milliseconds, string ips);

    [LoggerMessage(3001, LogLevel.Warning, "Undoing \"{What}\" failed (attempt {Attempt}): {Error}")]
    public static partial void UndoFailed(ILogger logger, string what, int attempt, string error);

    [LoggerMessage(3002, LogLevel.Information, "Stopped pod sandbox {Id}")]
    public static partial void Stopped(ILogger logger, string id);

    [LoggerMessage(3003, LogLevel.Information, "Removed pod sandbox {Id}")]
    public static partial void Removed(ILogger logger, string id);

    [LoggerMessage(3004, LogLevel.Warning, "Pod sandbox {Id}: {Problem}")]
    public static partial void StepFailed(ILogger logger, string id, string problem);

    [LoggerMessage(3005, LogLevel.Information, "Recovered {Count} pod sandboxes ({NotReady} not ready)")]
    public static partial void Recovered(ILogger logger, int count, int notReady);

    [LoggerMessage(3006, LogLevel.Warning, "Skipping pod state {File}: {Error}")]
    public static partial void RecoverFailed(ILogger logger, string file, string error);

    [LoggerMessage(3008, LogLevel.Warning, "Pod sandbox {Id} ({Name}) was left half-made by a daemon that stopped during RunPodSandbox: undone")]
    public static partial void UndoneCutOff(ILogger logger, string id, string name);

    [LoggerMessage(3007, LogLevel.Information, "CNI network readiness: {Ready} {Message}")]
    public static partial void NetworkReadiness(ILogger logger, bool ready, string message);
}
