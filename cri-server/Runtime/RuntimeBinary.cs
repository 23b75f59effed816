using CriO.Server.Config;

namespace CriO.Server.Runtime;

/// <summary>Finds a runtime handler's OCI runtime binary: its runtime_path, else its name on PATH.</summary>
public static class RuntimeBinary
{
    private static readonly string[] FallbackPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    public static string? Resolve(string handlerName, RuntimeHandlerSettings handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (handler.RuntimePath.Length > 0)
        {
            return IsExecutable(handler.RuntimePath) ? handler.RuntimePath : null;
        }

        // A daemon started by systemd may have a minimal PATH; the usual folders are searched too.
        return Find(handlerName);
    }

    /// <summary>A helper program (criu, ...) on PATH or in the usual folders; null when it is not installed.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return path.Concat(FallbackPath).Select(d => Path.Combine(d, name)).FirstOrDefault(IsExecutable);
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
