using System.Net;
using System.Net.Sockets;

namespace CriO.Tests.Shared;

/// <summary>A TCP port on 127.0.0.1 that was free a moment ago, for a server the test configures before it starts.</summary>
internal static class LoopbackPort
{
    public static int PickFree()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
