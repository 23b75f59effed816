namespace CriO.Cni;

/// <summary>Finds a CNI plugin binary by its type in the configured plugin folders, first match wins.</summary>
public static class PluginLocator
{
    public static string? Find(string type, IEnumerable<string> pluginDirectories)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(pluginDirectories);

        // A type is a file name; a path in it would let a config run any binary on the node.
        if (type.Contains('/', StringComparison.Ordinal) || type is "." or "..")
        {
            return null;
        }

        foreach (var directory in pluginDirectories)
        {
            var candidate = Path.Combine(directory, type);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
