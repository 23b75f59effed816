using CriO.Storage.IO;
using Microsoft.Win32.SafeHandles;

namespace CriO.Image.Import;

/// <summary>
/// One file of an <see cref="ImageArchive"/>: <c>length</c> bytes from <c>start</c> of the archive,
/// read with positional reads (so any number of them may be open at once on one handle).
/// The archive's handle belongs to the archive.
/// </summary>
internal sealed class ArchiveEntryStream(SafeFileHandle archive, long start, long length) : ReadOnlyStream
{
    private long _position;

    public override long Length => length;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = Wanted(buffer.Length);
        return wanted == 0 ? 0 : Advance(await RandomAccess.ReadAsync(archive, buffer[..wanted], start + _position, cancellationToken).ConfigureAwait(false));
    }

    public override int Read(Span<byte> buffer)
    {
        var wanted = Wanted(buffer.Length);
        return wanted == 0 ? 0 : Advance(RandomAccess.Read(archive, buffer[..wanted], start + _position));
    }

    private int Wanted(int room) => (int)Math.Min(room, length - _position);

    private int Advance(int read)
    {
        if (read == 0)
        {
            throw new EndOfStreamException("the archive ends inside one of its files");
        }

        _position += read;
        return read;
    }
}
