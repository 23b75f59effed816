namespace CriO.Storage.Tests.Archive;

/// <summary>
/// A snapshot of what a layer must never touch: everything in the scratch folder outside the
/// diff directory (the sentinel, the folder itself), /etc/passwd and /etc. Compared after the
/// layer ran; access times are left out, reading may change them.
/// </summary>
internal sealed class HostGuard
{
    private readonly ArchiveScratch _scratch;
    private readonly string _outside;
    private readonly byte[] _passwd;
    private readonly string _etc;

    private HostGuard(ArchiveScratch scratch, string outside, byte[] passwd, string etc)
    {
        _scratch = scratch;
        _outside = outside;
        _passwd = passwd;
        _etc = etc;
    }

    public static async Task<HostGuard> TakeAsync(ArchiveScratch scratch) =>
        new(scratch, await OutsideAsync(scratch), await File.ReadAllBytesAsync("/etc/passwd"), await EtcAsync());

    public async Task AssertUntouchedAsync()
    {
        Assert.Equal(_outside, await OutsideAsync(_scratch));
        Assert.Equal(_passwd, await File.ReadAllBytesAsync("/etc/passwd"));
        Assert.Equal(_etc, await EtcAsync());
    }

    private static async Task<string> OutsideAsync(ArchiveScratch scratch)
    {
        var tree = await Tree.DumpAsync(scratch.Root);
        return string.Join('\n', tree
            .Where(p => p.Key != "diff" && !p.Key.StartsWith("diff/", StringComparison.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} {p.Value with { AccessedNs = 0, Xattrs = new SortedDictionary<string, string>(p.Value.Xattrs.ToDictionary()) }}"
                + string.Join(',', p.Value.Xattrs.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={x.Value}"))));
    }

    private static async Task<string> EtcAsync()
    {
        var tree = await Tree.DumpAsync("/etc");
        var etc = tree["."] with { AccessedNs = 0 };
        var passwd = tree["passwd"] with { AccessedNs = 0 };
        return $"{etc.ModifiedNs} {etc.LinkCount} {passwd.ModifiedNs} {passwd.Uid} {passwd.Permissions} {string.Join(',', passwd.Xattrs.Keys)}";
    }
}
