using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// The *at(2) calls that build and read a layer's diff directory relative to directory
/// descriptors, so that no path is ever resolved from the host's root. Each area has its own
/// file (FileTreeCalls.Open, .Create, .Remove, .Attributes, .Xattr, .ReadWrite); this one holds
/// what they share: errno handling, EINTR retry, descriptor borrowing and NUL-terminated paths.
/// </summary>
/// <remarks>
/// Calls named Try* return 0 or the errno value, because ENOENT, EEXIST and friends are
/// ordinary control flow when applying a layer; the caller decides which errors are fatal
/// and turns them into exceptions with <see cref="Error"/>.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileTreeCalls
{
    /// <summary>Paths up to this length are made NUL-terminated on the stack.</summary>
    internal const int StackPathBytes = 512;

    /// <summary>
    /// An exception for <paramref name="error"/> (an errno value) from <paramref name="call"/> on
    /// <paramref name="path"/>, with the strerror(3) text and the errno in the message.
    /// </summary>
    public static IOException Error(int error, string call, string path) =>
        new($"{call} '{path}': {Describe(error)}", error);

    /// <summary>The strerror(3) text of an errno value, with the number.</summary>
    public static string Describe(int error) => $"{Marshal.GetPInvokeErrorMessage(error)} (errno {error})";

    /// <summary>0 when <paramref name="result"/> is not negative, else errno.</summary>
    private static int ErrnoOf(long result) => result >= 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// The one EINTR policy: a call interrupted by a signal before doing anything is repeated.
    /// Local file systems rarely return it, but FIFOs, FUSE and NFS can.
    /// </summary>
    private static bool Interrupted(int error) => error == EINTR;

    /// <summary>
    /// A NUL-terminated copy of a path or name, on the caller's stack when short:
    /// <c>using var p = new NativePath(name, stackalloc byte[StackPathBytes]);</c>. A path with an
    /// embedded NUL would be cut short by the kernel, so it is refused here.
    /// </summary>
    private ref struct NativePath
    {
        private byte[]? _rented;

        public NativePath(ReadOnlySpan<byte> path, Span<byte> scratch)
        {
            if (path.Contains((byte)0))
            {
                throw new ArgumentException($"path '{Encoding.UTF8.GetString(path)}' contains a NUL byte", nameof(path));
            }

            _rented = null;
            if (path.Length + 1 > scratch.Length)
            {
                _rented = ArrayPool<byte>.Shared.Rent(path.Length + 1);
                scratch = _rented;
            }

            path.CopyTo(scratch);
            scratch[path.Length] = 0;
            Value = scratch[..(path.Length + 1)];
        }

        public Span<byte> Value { get; }

        public readonly ref byte GetPinnableReference() => ref Value.GetPinnableReference();

        public void Dispose()
        {
            if (_rented is not null)
            {
                ArrayPool<byte>.Shared.Return(_rented);
                _rented = null;
            }
        }
    }
}
