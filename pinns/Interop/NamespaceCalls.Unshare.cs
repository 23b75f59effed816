using System.Runtime.Versioning;
using CriO.Storage.Interop;
using static Tmds.Linux.LibC;

namespace CriO.Pinns.Interop;

/// <summary>
/// unshare(2), https://man7.org/linux/man-pages/man2/unshare.2.html, and setns(2),
/// https://man7.org/linux/man-pages/man2/setns.2.html.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceCalls
{
    /// <summary>
    /// Moves the calling thread (only it: namespaces belong to a thread) into new namespaces of
    /// the kinds in <paramref name="flags"/> (CLONE_NEW*). For CLONE_NEWPID the thread itself stays
    /// where it is; its next child is PID 1 of the new PID namespace.
    /// </summary>
    public static void Unshare(int flags) =>
        Run(() => unshare(flags), "unshare", $"0x{flags:x}");

    /// <summary>
    /// Opens the calling thread's own PID namespace, the one it is a member of (not the one
    /// it makes children in), so that <see cref="ResetPidNamespaceForChildren"/> can go back to it.
    /// </summary>
    public static SafeFd OpenOwnPidNamespace() => OpenReadOnly("/proc/thread-self/ns/pid");

    /// <summary>
    /// Makes the calling thread's future children members of <paramref name="ownPidNamespace"/>
    /// again after an unshare(CLONE_NEWPID). Until then the kernel refuses to create threads from
    /// this thread (clone(CLONE_THREAD) across PID namespaces is EINVAL), which the runtime may do.
    /// </summary>
    public static void ResetPidNamespaceForChildren(SafeFd ownPidNamespace) =>
        Run(() => setns(ownPidNamespace.Number, CLONE_NEWPID), "setns", "/proc/thread-self/ns/pid");
}
