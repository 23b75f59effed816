using CriO.Cni.Config;

namespace CriO.Cni.Cache;

/// <summary>
/// One attachment as libcni records it in <c>CACHEDIR/results/NETWORK-CONTAINERID-IFNAME</c>
/// (kind <c>cniCacheV1</c>): the exact network list the ADD ran with, its arguments and its
/// final result. DEL and CHECK run from it, so they work after a daemon restart and after the
/// network's configuration was changed or removed.
/// </summary>
/// <param name="ContainerId">CNI_CONTAINERID of the ADD.</param>
/// <param name="NetworkName">The network's name.</param>
/// <param name="InterfaceName">CNI_IFNAME of the ADD.</param>
/// <param name="NetNs">CNI_NETNS of the ADD (newer libcni records it too).</param>
/// <param name="Config">The network list, as JSON bytes (base64 in the file).</param>
/// <param name="CniArgs">The CNI_ARGS pairs.</param>
/// <param name="CapabilityArgs">The capability values the ADD was given.</param>
/// <param name="Result">The final result's JSON; null when the entry has none.</param>
internal sealed record CacheEntry(
    string ContainerId,
    string NetworkName,
    string InterfaceName,
    string NetNs,
    byte[] Config,
    IReadOnlyList<KeyValuePair<string, string>> CniArgs,
    CapabilityArgs CapabilityArgs,
    byte[]? Result);
