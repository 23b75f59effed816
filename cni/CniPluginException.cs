namespace CriO.Cni;

/// <summary>
/// A CNI plugin failed: it exited non-zero (with the spec's error object on stdout, or only text
/// on stderr), could not be found, or wrote a result that is not one. The message names the
/// plugin, the command and the code, so the kubelet's event shows where networking broke.
/// </summary>
public sealed class CniPluginException : Exception
{
    /// <summary>A plugin failure: <paramref name="code"/> and the texts come from its error object, when it wrote one.</summary>
    /// <param name="pluginType">The plugin's <c>type</c>.</param>
    /// <param name="command">ADD, DEL, CHECK or VERSION.</param>
    /// <param name="code">The error object's <c>code</c>; 0 when there was none.</param>
    /// <param name="pluginMessage">The error object's <c>msg</c>, or the plugin's stderr.</param>
    /// <param name="details">The error object's <c>details</c>; empty when none.</param>
    /// <param name="exitCode">The process exit code; null when the plugin did not run or exited 0.</param>
    public CniPluginException(string pluginType, string command, int code, string pluginMessage, string details, int? exitCode = null)
        : base(Describe(pluginType, command, code, pluginMessage, details, exitCode))
    {
        PluginType = pluginType;
        Command = command;
        Code = code;
        PluginMessage = pluginMessage;
        Details = details;
        ExitCode = exitCode;
    }

    /// <summary>The plugin's <c>type</c>.</summary>
    public string PluginType { get; }

    /// <summary>ADD, DEL, CHECK or VERSION.</summary>
    public string Command { get; }

    /// <summary>The CNI error code (1-99 are the spec's, e.g. 7 invalid network config, 11 try again later); 0: none given.</summary>
    public int Code { get; }

    /// <summary>The error object's <c>msg</c>, or what the plugin wrote to stderr.</summary>
    public string PluginMessage { get; }

    /// <summary>The error object's <c>details</c>; empty when none.</summary>
    public string Details { get; }

    /// <summary>The process exit code; null when the plugin did not run or exited 0.</summary>
    public int? ExitCode { get; }

    private static string Describe(string pluginType, string command, int code, string message, string details, int? exitCode)
    {
        var what = code != 0 ? $"code {code}" : exitCode is { } exit ? $"exit code {exit}" : "no code";
        var text = string.IsNullOrEmpty(details) ? message : $"{message}: {details}";
        return $"plugin \"{pluginType}\" failed ({command}, {what}): {text}";
    }
}
