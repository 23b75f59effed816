namespace CriO.Image.Registries;

/// <summary>
/// registries.conf (or a drop-in, or short-name-aliases.conf) cannot be used: names the file,
/// the key (e.g. <c>registry[2].mirror[0].pull-from-mirror</c>) and why.
/// </summary>
public sealed class RegistriesConfigException : Exception
{
    public RegistriesConfigException(string source, string key, string reason)
        : base(key.Length == 0 ? $"{source}: {reason}" : $"{source}: {key}: {reason}")
    {
        Source = source;
        Key = key;
        Reason = reason;
    }

    /// <summary>The file path, or the name given to <see cref="RegistriesConfig.Parse"/>.</summary>
    public new string Source { get; }

    /// <summary>The offending key; empty when the whole file is at fault (unreadable, not TOML).</summary>
    public string Key { get; }

    public string Reason { get; }
}
