namespace CriO.Cni;

/// <summary>
/// A CNI plugin did not finish within <see cref="CniSettings.PluginTimeout"/> and was killed
/// (with every process it started). A TimeoutException, so the daemon maps it to DeadlineExceeded.
/// </summary>
public sealed class CniPluginTimeoutException(string pluginType, string command, TimeSpan timeout)
    : TimeoutException($"plugin \"{pluginType}\" did not finish {command} within {timeout.TotalSeconds:0.###} s and was killed")
{
    /// <summary>The plugin's <c>type</c>.</summary>
    public string PluginType { get; } = pluginType;

    /// <summary>ADD, DEL, CHECK or VERSION.</summary>
    public string Command { get; } = command;

    /// <summary>The bound that was reached.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
