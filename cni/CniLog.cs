using Microsoft.Extensions.Logging;

namespace CriO.Cni;

/// <summary>Log messages of CNI: readiness, plugin runs, attach and detach; stable event ids 300-399.</summary>
internal static partial class CniLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "CNI network ready: {Network} ({Path}), plugins {Plugins}")]
    public static partial void NetworkReady(ILogger logger, string network, string path, string plugins);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "CNI network not ready: {Message}")]
    public static partial void NetworkNotReady(ILogger logger, string message);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "CNI {Command} {PluginType} for {ContainerId}: exit code {ExitCode} in {Milliseconds:F1} ms")]
    public static partial void PluginRan(ILogger logger, string command, string pluginType, string containerId, int exitCode, double milliseconds);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "CNI plugin {PluginType} did not finish {Command} for {ContainerId} within {Seconds} s: killed")]
    public static partial void PluginTimedOut(ILogger logger, string pluginType, string command, string containerId, double seconds);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "pod {PodNamespace}/{PodName} ({ContainerId}) attached to CNI network {Network}: {Addresses}")]
    public static partial void Attached(ILogger logger, string podNamespace, string podName, string containerId, string network, string addresses);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "CNI ADD of {ContainerId} on network {Network} failed; undoing with DEL: {Error}")]
    public static partial void AddFailed(ILogger logger, string containerId, string network, string error);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "CNI DEL undoing a failed ADD of {ContainerId} failed too; plugins may hold state for it")]
    public static partial void UndoFailed(ILogger logger, Exception exception, string containerId);

    [LoggerMessage(EventId = 307, Level = LogLevel.Information, Message = "pod {PodNamespace}/{PodName} ({ContainerId}) detached from CNI network {Network}")]
    public static partial void Detached(ILogger logger, string podNamespace, string podName, string containerId, string network);

    [LoggerMessage(EventId = 308, Level = LogLevel.Debug, Message = "nothing to detach for {ContainerId}: no cached result and no CNI network")]
    public static partial void NothingToDetach(ILogger logger, string containerId);

    [LoggerMessage(EventId = 309, Level = LogLevel.Warning, Message = "CNI result cache entry {Path} is unreadable, ignored: {Error}")]
    public static partial void CacheEntryUnreadable(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "watching CNI network folder {Path} failed; re-checking on an interval instead")]
    public static partial void WatchFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "a ReadinessChanged handler threw")]
    public static partial void ReadinessHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "re-checking CNI readiness failed")]
    public static partial void ReadinessCheckFailed(ILogger logger, Exception exception);
}
