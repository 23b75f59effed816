using System.Runtime.InteropServices;

namespace CriO.Pinns.Tests;

/// <summary>kill(2) and umount2(2), which the tests need on processes and mounts that are not theirs.</summary>
internal static partial class NativeCalls
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigUsr1 = 10;
    public const int SigTerm = 15;

    private const int MntDetach = 2;

    /// <summary>Sends <paramref name="signal"/>; false when there is no such process.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>Detaches the mount at <paramref name="mountPoint"/>; false when there is none.</summary>
    public static bool Unmount(string mountPoint) => umount2(mountPoint, MntDetach) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);
}
