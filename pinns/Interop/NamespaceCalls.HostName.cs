using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Pinns.Interop;

/// <summary>sethostname(2): https://man7.org/linux/man-pages/man2/sethostname.2.html.</summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceCalls
{
    /// <summary>Sets the host name of the calling thread's UTS namespace.</summary>
    public static void SetHostName(string hostName)
    {
        var name = Encoding.UTF8.GetBytes(hostName);
        Run(
            () =>
            {
                fixed (byte* n = name)
                {
                    return sethostname(n, name.Length);
                }
            },
            "sethostname",
            hostName);
    }
}
