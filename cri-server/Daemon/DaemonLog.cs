using Microsoft.Extensions.Logging;

namespace CriO.Server.Daemon;

/// <summary>Log messages of the daemon's life cycle, with stable event ids.</summary>
internal static partial class DaemonLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "crio {Version} serving the CRI on {Socket} (cgroup manager {CgroupManager}, default runtime {DefaultRuntime})")]
    public static partial void Serving(ILogger logger, string version, string socket, string cgroupManager, string defaultRuntime);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "configuration: {Warning}")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "SIGHUP: configuration reloaded; log level {LogLevel}")]
    public static partial void Reloaded(ILogger logger, string logLevel);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "SIGHUP: configuration not reloaded, keeping the current one: {Reason}")]
    public static partial void ReloadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "SIGHUP: {Key} takes effect now")]
    public static partial void ReloadApplied(ILogger logger, string key);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "SIGHUP: {Key} changed; it takes effect after a restart")]
    public static partial void ReloadNeedsRestart(ILogger logger, string key);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "shutting down")]
    public static partial void ShuttingDown(ILogger logger);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "stopped; removed {Socket}")]
    public static partial void Stopped(ILogger logger, string socket);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "store: {What}")]
    public static partial void Maintenance(ILogger logger, string what);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "store: removed layer {Layer}, left incomplete by an interrupted write")]
    public static partial void RemovedIncompleteLayer(ILogger logger, string layer);
}
