using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using static Tmds.Linux.LibC;

namespace CriO.Storage.Interop;

/// <summary>
/// unlinkat(2) and getdents64(2): https://man7.org/linux/man-pages/man2/unlinkat.2.html,
/// https://man7.org/linux/man-pages/man2/getdents64.2.html. Directory listings come as raw
/// bytes because names in a layer need not be UTF-8, and a name that does not survive a
/// round trip through string could not be removed.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class FileTreeCalls
{
    /// <summary>d_type of a directory in a getdents64 record.</summary>
    public const byte DirentDirectory = 4;

    /// <summary>d_type when the file system does not say; the caller must fstatat.</summary>
    public const byte DirentUnknown = 0;

    public static int TryUnlinkAt(SafeFd directory, ReadOnlySpan<byte> name, bool removeDirectory)
    {
        using var d = new SafeFdBorrow(directory);
        using var n = new NativePath(name, stackalloc byte[StackPathBytes]);
        fixed (byte* p = n)
        {
            int error;
            do
            {
                error = ErrnoOf(unlinkat(d.Fd, p, removeDirectory ? AT_REMOVEDIR : 0));
            }
            while (Interrupted(error));

            return error;
        }
    }

    /// <summary>
    /// Reads the next batch of linux_dirent64 records of an O_RDONLY directory descriptor into
    /// <paramref name="buffer"/>; 0 bytes means the end. Walk them with <see cref="DirectoryEntryReader"/>.
    /// </summary>
    public static int ReadDirectory(SafeFd directory, Span<byte> buffer, string displayPath)
    {
        using var d = new SafeFdBorrow(directory);
        fixed (byte* p = buffer)
        {
            long n;
            int error;
            do
            {
                n = GetDents64(d.Fd, p, (nuint)buffer.Length);
                error = ErrnoOf(n);
            }
            while (Interrupted(error));

            return error == 0 ? (int)n : throw Error(error, "getdents64", displayPath);
        }
    }

    // glibc 2.30+ exports getdents64; Tmds.LibC does not declare it.
    [LibraryImport("libc.so.6", EntryPoint = "getdents64", SetLastError = true)]
    private static partial nint GetDents64(int fd, byte* buffer, nuint count);

    /// <summary>
    /// Walks the linux_dirent64 records that <see cref="ReadDirectory"/> returned:
    /// { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; } with d_name NUL-terminated.
    /// </summary>
    public ref struct DirectoryEntryReader
    {
        private ReadOnlySpan<byte> _rest;

        public DirectoryEntryReader(ReadOnlySpan<byte> records)
        {
            _rest = records;
            Name = default;
            Type = 0;
        }

        public ReadOnlySpan<byte> Name { get; private set; }

        public byte Type { get; private set; }

        /// <summary>Moves to the next record other than "." and "..".</summary>
        public bool MoveNext()
        {
            while (_rest.Length >= 19)
            {
                var length = BinaryPrimitives.ReadUInt16LittleEndian(_rest[16..]);
                if (length < 19 || length > _rest.Length)
                {
                    return false;
                }

                var record = _rest[..length];
                _rest = _rest[length..];
                var name = record[19..];
                var end = name.IndexOf((byte)0);
                Name = end < 0 ? name : name[..end];
                Type = record[18];
                if (!Name.SequenceEqual("."u8) && !Name.SequenceEqual(".."u8))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
