using System.Runtime.Versioning;

namespace CriO.Storage.Interop;

/// <summary>
/// Keeps a descriptor from being closed (and its number reused by another open) while a raw
/// call uses it: <c>using var d = new SafeFdBorrow(fd);</c> then pass <see cref="Fd"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal ref struct SafeFdBorrow
{
    private readonly SafeFd _descriptor;
    private bool _added;

    public SafeFdBorrow(SafeFd descriptor)
    {
        _descriptor = descriptor;
        _added = false;
        descriptor.DangerousAddRef(ref _added);
        Fd = (int)descriptor.DangerousGetHandle();
    }

    public int Fd { get; }

    public void Dispose()
    {
        if (_added)
        {
            _added = false;
            _descriptor.DangerousRelease();
        }
    }
}
