namespace CriO.Cni;

/// <summary>
/// One pod sandbox to attach to (or detach from) the default network: the identity plugins see in
/// CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME and CNI_ARGS, and the values of the capabilities a
/// plugin may declare (<c>portMappings</c>, <c>bandwidth</c>, <c>ipRanges</c>, <c>dns</c>).
/// </summary>
/// <param name="ContainerId">The sandbox id; with the interface name it keys the plugins' state (IPAM, iptables chains) and the cache entry.</param>
/// <param name="NetNsPath">The pinned network namespace, e.g. <c>/var/run/netns/NAME</c>; at teardown it may be gone.</param>
/// <param name="PodName">K8S_POD_NAME.</param>
/// <param name="PodNamespace">K8S_POD_NAMESPACE.</param>
/// <param name="PodUid">K8S_POD_UID.</param>
public sealed record PodNetworkAttachment(string ContainerId, string NetNsPath, string PodName, string PodNamespace, string PodUid)
{
    /// <summary>The interface made inside the namespace (CNI_IFNAME).</summary>
    public string InterfaceName { get; init; } = "eth0";

    /// <summary>The <c>portMappings</c> capability: the pod's host ports.</summary>
    public IReadOnlyList<PortMapping> PortMappings { get; init; } = [];

    /// <summary>The <c>bandwidth</c> capability, from the pod's bandwidth annotations; null: none.</summary>
    public BandwidthLimits? Bandwidth { get; init; }

    /// <summary>
    /// The <c>ipRanges</c> capability: the node's pod CIDRs, one range set per CIDR
    /// (<c>[[{"subnet": cidr}], ...]</c>), so host-local allocates one address of each family.
    /// </summary>
    public IReadOnlyList<string> PodCidrs { get; init; } = [];

    /// <summary>The <c>dns</c> capability: the pod's resolver settings; null: none.</summary>
    public DnsSettings? Dns { get; init; }
}
