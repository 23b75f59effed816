using System.Runtime.Versioning;

namespace CriO.Storage.Interop;

/// <summary>The parts of stat(2) that applying and reading layers need.</summary>
[SupportedOSPlatform("linux")]
internal readonly record struct FileStatus(uint Mode, uint Uid, uint Gid, long Size, ulong Inode, ulong Device, ulong RawDevice, ulong LinkCount)
{
    public const uint TypeMask = 0xF000; // S_IFMT
    public const uint Directory = 0x4000; // S_IFDIR
    public const uint Regular = 0x8000; // S_IFREG
    public const uint Symlink = 0xA000; // S_IFLNK
    public const uint CharacterDevice = 0x2000; // S_IFCHR
    public const uint BlockDevice = 0x6000; // S_IFBLK
    public const uint Fifo = 0x1000; // S_IFIFO

    // C# has no octal literals; these are the usual octal modes in hex.
    public const uint PermissionBits = 0xFFF; // 07777: permissions with setuid, setgid and sticky
    public const uint OwnerOnly = 0x1C0; // 0700
    public const uint OwnerReadWrite = 0x180; // 0600
    public const uint PublicDirectory = 0x1ED; // 0755

    public bool IsDirectory => (Mode & TypeMask) == Directory;

    public bool IsRegularFile => (Mode & TypeMask) == Regular;

    public bool IsSymlink => (Mode & TypeMask) == Symlink;
}
