using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Pause.Interop;

/// <summary>
/// The system calls crio-pause makes. Each concern has its own file (PauseCalls.Signals, .Exec,
/// .Session, .Prctl, .Wait); this one holds what they share: the one EINTR policy,
/// errno-to-exception mapping, NUL-terminated strings and writing a message to a descriptor.
/// Tmds.LibC has most calls; those it lacks are declared with <c>LibraryImport</c> next to their use.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class PauseCalls
{
    /// <summary>An exception for <paramref name="error"/> (an errno value) from <paramref name="call"/>.</summary>
    public static IOException Error(int error, string call) =>
        new($"{call}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})", error);

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="fd"/> (1 or 2) with write(2), not through
    /// Console: Console would install the runtime's signal handlers and start a thread for them.
    /// </summary>
    public static void WriteText(int fd, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* b = bytes)
        {
            for (var done = 0; done < bytes.Length;)
            {
                long written = write(fd, b + done, bytes.Length - done);
                if (written < 0 && !Interrupted(written))
                {
                    return; // nowhere left to report to
                }

                done += (int)Math.Max(written, 0);
            }
        }
    }

    /// <summary>
    /// The one EINTR policy: a call that failed with EINTR (a signal arrived before it did
    /// anything) is repeated by its caller's loop.
    /// </summary>
    private static bool Interrupted(long result) => result < 0 && Marshal.GetLastPInvokeError() == EINTR;

    /// <summary>Throws for a failed call (negative <paramref name="result"/>), naming it.</summary>
    private static long Check(long result, string call) =>
        result >= 0 ? result : throw Error(Marshal.GetLastPInvokeError(), call);

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="value"/>.</summary>
    private static byte[] Native(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }
}
