using System.Net;

namespace CriO.Cni;

/// <summary>One address of a CNI result (<c>ips[]</c>).</summary>
/// <param name="Address">The address with its prefix length as the plugin wrote it, e.g. <c>10.88.0.5/16</c>.</param>
/// <param name="Ip">The address alone, parsed; its AddressFamily tells IPv4 from IPv6.</param>
/// <param name="PrefixLength">The prefix length of <paramref name="Address"/>.</param>
/// <param name="Gateway">The gateway for this address, if the plugin gave one.</param>
/// <param name="InterfaceIndex">Index into the result's interfaces, if the plugin gave one.</param>
public sealed record CniIpConfig(string Address, IPAddress Ip, int PrefixLength, string? Gateway, int? InterfaceIndex);
