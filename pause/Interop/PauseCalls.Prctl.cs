using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Pause.Interop;

/// <summary>
/// prctl(2), https://man7.org/linux/man-pages/man2/prctl.2.html, and capset(2),
/// https://man7.org/linux/man-pages/man2/capset.2.html (neither is in Tmds.LibC).
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class PauseCalls
{
    // From linux/prctl.h and linux/capability.h.
    private const int PrSetName = 15;
    private const int PrCapBsetDrop = 24;
    private const int PrSetNoNewPrivs = 38;
    private const int PrCapAmbient = 47;
    private const int PrCapAmbientClearAll = 4;
    private const uint LinuxCapabilityVersion3 = 0x20080522;

    /// <summary>
    /// PR_SET_NAME: the name ps and /proc/PID/status show, which an exec of /proc/self/exe
    /// would otherwise leave as "exe".
    /// </summary>
    public static void SetName(string name)
    {
        fixed (byte* n = Native(name))
        {
            Check(prctl(PrSetName, (nuint)n, 0, 0, 0), "prctl PR_SET_NAME");
        }
    }

    /// <summary>PR_SET_NO_NEW_PRIVS: nothing this process execs can gain privileges.</summary>
    public static void NoNewPrivileges() => Check(prctl(PrSetNoNewPrivs, 1, 0, 0, 0), "prctl PR_SET_NO_NEW_PRIVS");

    /// <summary>
    /// Drops every capability: from the bounding set (PR_CAPBSET_DROP for each, up to the first
    /// the kernel does not know, EINVAL), the ambient set, then effective, permitted and inheritable
    /// (capset with zero sets). Needs CAP_SETPCAP for the first step, so it comes last of all.
    /// </summary>
    public static void DropAllCapabilities()
    {
        for (nuint capability = 0; ; capability++)
        {
            if (prctl(PrCapBsetDrop, capability, 0, 0, 0) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                if (error == EINVAL && capability > 0)
                {
                    break; // past the last capability this kernel has
                }

                throw Error(error, "prctl PR_CAPBSET_DROP");
            }
        }

        if (prctl(PrCapAmbient, PrCapAmbientClearAll, 0, 0, 0) != 0 && Marshal.GetLastPInvokeError() != EINVAL)
        {
            throw Error(Marshal.GetLastPInvokeError(), "prctl PR_CAP_AMBIENT_CLEAR_ALL");
        }

        var header = stackalloc uint[2] { LinuxCapabilityVersion3, 0 };
        var data = stackalloc uint[6]; // two struct __user_cap_data_struct, all zero
        Check(capset(header, data), "capset");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int capset(uint* header, uint* data);
}
