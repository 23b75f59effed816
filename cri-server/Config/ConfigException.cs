namespace CriO.Server.Config;

/// <summary>A configuration that stops start-up: names the file (or flag) and the key, and why.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string source, string key, string reason)
        : base($"{source}: {key}: {reason}")
    {
        Source = source;
        Key = key;
        Reason = reason;
    }

    public ConfigException(string source, string reason)
        : base($"{source}: {reason}")
    {
        Source = source;
        Key = "";
        Reason = reason;
    }

    /// <summary>The file path, or "command line".</summary>
    public new string Source { get; }

    /// <summary>The dotted key, e.g. crio.runtime.log_level; empty for a file that does not parse.</summary>
    public string Key { get; }

    public string Reason { get; }
}
