using System.Runtime.Versioning;
using CriO.Storage.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Pinns.Interop;

/// <summary>
/// Interface flags through ioctl(2) SIOCGIFFLAGS/SIOCSIFFLAGS on a datagram socket:
/// https://man7.org/linux/man-pages/man7/netdevice.7.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceCalls
{
    /// <summary>IFF_UP from linux/if.h.</summary>
    private const short InterfaceUp = 0x1;

    /// <summary>sizeof(struct ifreq): a 16-byte name, then a 24-byte union whose first member here is short ifr_flags.</summary>
    private const int InterfaceRequestSize = 40;

    /// <summary>IFNAMSIZ: the offset of the union in struct ifreq.</summary>
    private const int InterfaceNameSize = 16;

    /// <summary>
    /// Brings the loopback interface up in the calling thread's network namespace (a new one
    /// has <c>lo</c>, down); the socket made for the ioctl belongs to that namespace.
    /// </summary>
    public static void BringLoopbackUp()
    {
        var socketFd = Run(() => socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket", "AF_INET");
        using var fd = new SafeFd((int)socketFd);
        var request = new byte[InterfaceRequestSize];
        "lo"u8.CopyTo(request);
        Run(
            () =>
            {
                fixed (byte* r = request)
                {
                    return ioctl(fd.Number, SIOCGIFFLAGS, r);
                }
            },
            "ioctl SIOCGIFFLAGS",
            "lo");
        var flags = BitConverter.ToInt16(request, InterfaceNameSize);
        BitConverter.TryWriteBytes(request.AsSpan(InterfaceNameSize), (short)(flags | InterfaceUp));
        Run(
            () =>
            {
                fixed (byte* r = request)
                {
                    return ioctl(fd.Number, SIOCSIFFLAGS, r);
                }
            },
            "ioctl SIOCSIFFLAGS",
            "lo");
    }
}
