namespace CriO.Cni.Config;

/// <summary>
/// Checks of the names that become part of a cache file name and of the plugins' own state
/// paths (host-local keeps a file per container id): the rules libcni applies, so a hostile or
/// broken value cannot make us, or a plugin, write outside its folder.
/// </summary>
internal static class CniIdentifiers
{
    /// <summary>Linux's IFNAMSIZ less the terminating NUL.</summary>
    private const int MaxInterfaceName = 15;

    /// <summary>A network name or container id: starts with a letter or digit, then letters, digits, '_', '.', '-'.</summary>
    public static bool IsValidName(string value) =>
        !string.IsNullOrEmpty(value)
        && char.IsAsciiLetterOrDigit(value[0])
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    /// <summary>An interface name: 1 to 15 characters, no '/', ':' or white space, not "." or "..".</summary>
    public static bool IsValidInterfaceName(string value) =>
        !string.IsNullOrEmpty(value)
        && value.Length <= MaxInterfaceName
        && value is not ("." or "..")
        && !value.Any(c => c is '/' or ':' || char.IsWhiteSpace(c));

    /// <exception cref="ArgumentException">The container id or interface name breaks the rules.</exception>
    public static void ThrowIfInvalid(PodNetworkAttachment pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (!IsValidName(pod.ContainerId))
        {
            throw new ArgumentException($"invalid container id \"{pod.ContainerId}\": letters, digits, '_', '.' and '-' only, starting with a letter or digit", nameof(pod));
        }

        if (!IsValidInterfaceName(pod.InterfaceName))
        {
            throw new ArgumentException($"invalid interface name \"{pod.InterfaceName}\": 1 to {MaxInterfaceName} characters, no '/', ':' or white space", nameof(pod));
        }
    }

    /// <exception cref="InvalidDataException">The network's name cannot name a cache entry.</exception>
    public static void ThrowIfInvalidNetworkName(string name)
    {
        if (!IsValidName(name))
        {
            throw new InvalidDataException($"invalid network name \"{name}\": letters, digits, '_', '.' and '-' only, starting with a letter or digit");
        }
    }
}
