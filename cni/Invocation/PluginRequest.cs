namespace CriO.Cni.Invocation;

/// <summary>
/// The environment of one plugin execution, as the CNI spec defines it (CNI_COMMAND,
/// CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH), and the stdin it reads.
/// </summary>
/// <param name="Command">ADD, DEL, CHECK or VERSION.</param>
/// <param name="PluginType">The plugin's <c>type</c>, for messages.</param>
/// <param name="PluginPath">The binary to run.</param>
/// <param name="ContainerId">CNI_CONTAINERID; empty for VERSION.</param>
/// <param name="NetNs">CNI_NETNS; empty for VERSION, and for a DEL whose namespace is gone.</param>
/// <param name="InterfaceName">CNI_IFNAME; empty for VERSION.</param>
/// <param name="Args">CNI_ARGS, already formatted.</param>
/// <param name="Stdin">The configuration the plugin reads.</param>
internal sealed record PluginRequest(
    string Command,
    string PluginType,
    string PluginPath,
    string ContainerId,
    string NetNs,
    string InterfaceName,
    string Args,
    byte[] Stdin);
