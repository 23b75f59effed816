using System.Security.Cryptography;

namespace CriO.Storage.Archive;

/// <summary>
/// A read-only stream that passes another through while counting its bytes and hashing them
/// with SHA-256, so that a layer's digests cost no second pass. It can peek at the first
/// bytes (to detect compression) without losing them to the reader that comes next.
/// </summary>
internal sealed class DigestingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _peeked = [];
    private int _peekedStart;
    private int _peekedEnd;

    public DigestingReadStream(Stream inner)
    {
        _inner = inner;
    }

    /// <summary>Bytes read from the inner stream so far.</summary>
    public long Count { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>"sha256:" and the lowercase hex digest of everything read; call once, at the end.</summary>
    public string Digest() => "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <summary>Up to <paramref name="count"/> first bytes (fewer only at the end of the stream), which later reads return again.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> PeekAsync(int count, CancellationToken cancellationToken)
    {
        _peeked = new byte[count];
        while (_peekedEnd < count)
        {
            var n = await ReadInnerAsync(_peeked.AsMemory(_peekedEnd), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            _peekedEnd += n;
        }

        return _peeked.AsMemory(0, _peekedEnd);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_peekedStart < _peekedEnd)
        {
            return TakePeeked(buffer);
        }

        var n = _inner.Read(buffer);
        Account(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _peekedStart < _peekedEnd ? ValueTask.FromResult(TakePeeked(buffer.Span)) : ReadInnerAsync(buffer, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadInnerAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n]);
        return n;
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data);
        Count += data.Length;
    }

    private int TakePeeked(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _peekedEnd - _peekedStart);
        _peeked.AsSpan(_peekedStart, n).CopyTo(buffer);
        _peekedStart += n;
        return n;
    }
}
