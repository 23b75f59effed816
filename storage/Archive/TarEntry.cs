using System.Formats.Tar;
using System.Text;

namespace CriO.Storage.Archive;

/// <summary>
/// One tar entry's header, after PAX and GNU extension headers are merged in, with the field
/// semantics of Go's archive/tar (the reader tar-split and containers/storage use). Names are
/// bytes, because tar names need not be UTF-8 and every file operation wants bytes anyway.
/// One instance is reused for every entry of a layer.
/// </summary>
internal sealed class TarEntry
{
    /// <summary>PATH_MAX: the longest name or link target a layer may carry.</summary>
    public const int MaxNameBytes = 4096;

    private byte[] _name = new byte[256];
    private byte[] _linkName = new byte[256];
    private int _nameLength;
    private int _linkNameLength;
    private readonly List<(int NameStart, int NameLength, int ValueStart, int ValueLength)> _xattrs = [];
    private RawSegment? _xattrSource;

    public TarEntryType Type { get; set; }

    public ReadOnlySpan<byte> Name => _name.AsSpan(0, _nameLength);

    public ReadOnlySpan<byte> LinkName => _linkName.AsSpan(0, _linkNameLength);

    /// <summary>The size the header declares (after a PAX "size" record), which tar-split records as is.</summary>
    public long Size { get; set; }

    /// <summary>How many content bytes follow the header in the stream: 0 for header-only types whatever <see cref="Size"/> says.</summary>
    public long ContentLength { get; set; }

    public long Mode { get; set; }

    public long Uid { get; set; }

    public long Gid { get; set; }

    public long DeviceMajor { get; set; }

    public long DeviceMinor { get; set; }

    public TarTime ModificationTime { get; set; }

    /// <summary>The access time, or null when the header has none (GNU headers with an empty field, USTAR).</summary>
    public TarTime? AccessTime { get; set; }

    public int XattrCount => _xattrs.Count;

    /// <summary>The attribute name of a SCHILY.xattr PAX record, valid until the reader moves to the next entry.</summary>
    public ReadOnlySpan<byte> GetXattrName(int index) => _xattrSource!.Written.Slice(_xattrs[index].NameStart, _xattrs[index].NameLength);

    /// <summary>The value of a SCHILY.xattr PAX record (binary), valid until the reader moves to the next entry.</summary>
    public ReadOnlySpan<byte> GetXattrValue(int index) => _xattrSource!.Written.Slice(_xattrs[index].ValueStart, _xattrs[index].ValueLength);

    /// <summary>The name for messages: UTF-8 where it is, with replacement characters elsewhere.</summary>
    public string DisplayName => Encoding.UTF8.GetString(Name);

    public void Reset()
    {
        Type = TarEntryType.V7RegularFile;
        _nameLength = 0;
        _linkNameLength = 0;
        Size = 0;
        ContentLength = 0;
        Mode = 0;
        Uid = 0;
        Gid = 0;
        DeviceMajor = 0;
        DeviceMinor = 0;
        ModificationTime = default;
        AccessTime = null;
        _xattrs.Clear();
        _xattrSource = null;
    }

    public void SetName(ReadOnlySpan<byte> name) => Set(ref _name, ref _nameLength, name);

    /// <summary>Sets the name to "<paramref name="prefix"/>/<paramref name="name"/>" (the USTAR prefix field).</summary>
    public void SetName(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> name)
    {
        var length = prefix.Length + 1 + name.Length;
        if (_name.Length < length)
        {
            _name = new byte[length];
        }

        prefix.CopyTo(_name);
        _name[prefix.Length] = (byte)'/';
        name.CopyTo(_name.AsSpan(prefix.Length + 1));
        _nameLength = length;
    }

    public void SetLinkName(ReadOnlySpan<byte> linkName) => Set(ref _linkName, ref _linkNameLength, linkName);

    public void AddXattr(RawSegment source, int nameStart, int nameLength, int valueStart, int valueLength)
    {
        _xattrSource = source;
        _xattrs.Add((nameStart, nameLength, valueStart, valueLength));
    }

    private static void Set(ref byte[] buffer, ref int length, ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxNameBytes)
        {
            // Longer than any path the kernel accepts; keep the start for the error message.
            value = value[..(MaxNameBytes + 1)];
        }

        if (buffer.Length < value.Length)
        {
            buffer = new byte[Math.Max(value.Length, buffer.Length * 2)];
        }

        value.CopyTo(buffer);
        length = value.Length;
    }
}
