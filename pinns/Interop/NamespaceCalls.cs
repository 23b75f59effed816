using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Pinns.Interop;

/// <summary>
/// The system calls crio-pinns makes. Each concern has its own file (NamespaceCalls.Unshare,
/// .Mount, .HostName, .Files, .Loopback, .CloseRange, .Spawn, .Wait); this one holds what they
/// share: the one EINTR policy, errno-to-exception mapping and NUL-terminated paths.
/// Tmds.LibC has most calls; those it lacks are declared with <c>LibraryImport</c> next to their use.
/// </summary>
/// <remarks>
/// Every call runs on the calling thread, and that matters here: namespaces belong to a thread,
/// so the caller keeps them all on the main thread (see <see cref="SandboxPinner"/>).
/// Calls named Try* return 0 or the errno value, for errors that are ordinary control flow
/// (EEXIST, ENOENT, EINVAL); the others throw an <see cref="IOException"/> naming the call.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static unsafe partial class NamespaceCalls
{
    /// <summary>An exception for <paramref name="error"/> (an errno value) from <paramref name="call"/> on <paramref name="subject"/>.</summary>
    public static IOException Error(int error, string call, string subject) =>
        new($"{call} {subject}: {Describe(error)}", error);

    /// <summary>The strerror(3) text of an errno value, with the number.</summary>
    public static string Describe(int error) => $"{Marshal.GetPInvokeErrorMessage(error)} (errno {error})";

    /// <summary>
    /// The one EINTR policy: a call interrupted by a signal before doing anything is repeated.
    /// Returns the call's result (not negative) with <paramref name="error"/> 0, or -1 with the errno.
    /// </summary>
    private static long Invoke(Func<long> call, out int error)
    {
        while (true)
        {
            var result = call();
            if (result >= 0)
            {
                error = 0;
                return result;
            }

            error = Marshal.GetLastPInvokeError();
            if (error != EINTR)
            {
                return -1;
            }
        }
    }

    /// <summary>0, or the errno value of a failed call (after EINTR retries).</summary>
    private static int Try(Func<long> call)
    {
        Invoke(call, out var error);
        return error;
    }

    /// <summary>The call's result; a failure throws, naming <paramref name="name"/> and <paramref name="subject"/>.</summary>
    private static long Run(Func<long> call, string name, string subject)
    {
        var result = Invoke(call, out var error);
        return error == 0 ? result : throw Error(error, name, subject);
    }

    /// <summary>
    /// A NUL-terminated UTF-8 copy of a path or value for the kernel. A string with an embedded
    /// NUL would be cut short there, so it is refused.
    /// </summary>
    internal static byte[] Native(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{value.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL byte", nameof(value));
        }

        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }
}
