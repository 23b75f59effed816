namespace CriO.Server.Config;

/// <summary>Value checks shared by the schema's keys; each returns the problem, or null when fine.</summary>
public static class ConfigChecks
{
    public static string? AbsolutePath(string value) =>
        Path.IsPathRooted(value) ? null : $"must be an absolute path, found \"{value}\"";

    public static string? AbsolutePathOrEmpty(string value) => value.Length == 0 ? null : AbsolutePath(value);

    public static string? AbsolutePaths(IReadOnlyList<string> values) =>
        values.Select(AbsolutePath).FirstOrDefault(problem => problem is not null);

    public static string? DeviceEntries(IReadOnlyList<string> values)
    {
        foreach (var value in values)
        {
            try
            {
                Containers.Spec.ContainerSpecBuilder.ParseAdditionalDevice(value);
            }
            catch (Errors.InvalidArgumentException e)
            {
                return e.Message;
            }
        }

        return null;
    }

    public static Func<string, string?> OneOf(params string[] allowed) => value =>
        allowed.Contains(value, StringComparer.Ordinal)
            ? null
            : $"must be one of {string.Join(", ", allowed)}, found \"{value}\"";

    public static string? Duration(string value) =>
        GoDuration.TryParse(value, out var d) && d >= TimeSpan.Zero
            ? null
            : $"must be a duration like \"30s\" or \"1m30s\", found \"{value}\"";

    public static string? DurationOrEmpty(string value) => value.Length == 0 ? null : Duration(value);

    public static string? NonNegative(long value) => value >= 0 ? null : $"must not be negative, found {value}";

    public static string? Positive(long value) => value > 0 ? null : $"must be greater than 0, found {value}";

    public static string? Port(long value) => value is >= 0 and <= 65535 ? null : $"must be a port number (0-65535), found {value}";

    public static string? PortText(string value) =>
        long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var port) ? Port(port) : $"must be a port number, found \"{value}\"";

    /// <summary>-1 (unlimited) or a size that leaves room for at least one log line, as CRI-O requires.</summary>
    public static string? LogSizeMax(long value) =>
        value == -1 || value >= 8192 ? null : $"must be -1 (unlimited) or at least 8192 bytes, found {value}";

    public static string? SamplingRate(long value) =>
        value is >= 0 and <= 1_000_000 ? null : $"must be between 0 and 1000000, found {value}";
}
