using Microsoft.Extensions.Logging;

namespace CriO.Server.Logging;

/// <summary>
/// The daemon's minimum log level, changeable while running (SIGHUP reloads log_level), mapped
/// from CRI-O's level names.
/// </summary>
public sealed class LogLevelSwitch(LogLevel level)
{
    private volatile int _level = (int)level;

    public LogLevel Level
    {
        get => (LogLevel)_level;
        set => _level = (int)value;
    }

    public bool IsEnabled(LogLevel level) => level >= Level && level != LogLevel.None;

    /// <summary>CRI-O's (logrus) level names; fatal and panic both mean critical-only.</summary>
    public static LogLevel Parse(string crioLevel) => crioLevel switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" or "panic" => LogLevel.Critical,
        _ => throw new ArgumentException($"unknown log level \"{crioLevel}\"", nameof(crioLevel)),
    };
}
