using System.Text.RegularExpressions;

namespace CriO.Server.Logging;

/// <summary>
/// log_filter: only messages matching this regular expression are logged (CRI-O's meaning);
/// empty logs everything. Replaceable while running, since SIGHUP reloads it.
/// </summary>
public sealed class LogMessageFilter
{
    // A filter is applied to every message: bound how long one match may take.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);

    private volatile Regex? _pattern;

    public LogMessageFilter(string pattern) => Set(pattern);

    public void Set(string pattern) =>
        _pattern = string.IsNullOrEmpty(pattern) ? null : new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);

    public bool Allows(string message)
    {
        var pattern = _pattern;
        if (pattern is null)
        {
            return true;
        }

        try
        {
            return pattern.IsMatch(message);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological pattern must not silence the daemon: log rather than drop.
            return true;
        }
    }

    /// <summary>The config check: the problem with <paramref name="pattern"/>, or null when it compiles.</summary>
    public static string? Check(string pattern)
    {
        try
        {
            _ = new LogMessageFilter(pattern);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"not a valid regular expression: {e.Message}";
        }
    }
}
