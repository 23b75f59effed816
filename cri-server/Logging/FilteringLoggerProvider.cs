using Microsoft.Extensions.Logging;

namespace CriO.Server.Logging;

/// <summary>
/// Wraps a logger provider so that messages <see cref="LogMessageFilter"/> rejects are dropped.
/// The built-in filters see only category and level; log_filter needs the message text.
/// </summary>
public sealed class FilteringLoggerProvider(ILoggerProvider inner, LogMessageFilter filter) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new FilteringLogger(inner.CreateLogger(categoryName), filter);

    public void Dispose() => inner.Dispose();

    private sealed class FilteringLogger(ILogger inner, LogMessageFilter filter) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (filter.Allows(formatter(state, exception)))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
