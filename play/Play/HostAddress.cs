using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace CriO.Server.Play;

/// <summary>The node's address a host-network pod reports as its IP (the kubelet reports the node's IP for such pods).</summary>
public static class HostAddress
{
    /// <summary>The first IPv4 address of an interface that is up and not loopback; empty when there is none.</summary>
    public static string Primary() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)?.ToString() ?? "";
}
