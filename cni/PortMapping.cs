namespace CriO.Cni;

/// <summary>One host port of a pod, as the <c>portMappings</c> capability carries it to the portmap plugin.</summary>
/// <param name="HostPort">Port on the node.</param>
/// <param name="ContainerPort">Port inside the pod.</param>
/// <param name="Protocol"><c>tcp</c>, <c>udp</c> or <c>sctp</c>, lower-case as plugins expect.</param>
/// <param name="HostIp">Host address to bind; empty: all addresses.</param>
public sealed record PortMapping(int HostPort, int ContainerPort, string Protocol, string HostIp);
