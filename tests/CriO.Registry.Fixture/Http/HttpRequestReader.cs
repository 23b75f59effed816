using System.Text;

namespace CriO.Registry.Fixture.Http;

/// <summary>
/// Reads HTTP/1.1 requests from one connection, keeping bytes that arrive early (pipelining)
/// for the next request. Heads are bounded (32 KiB), bodies too (1 MiB, read and dropped:
/// the fixtures serve GET and HEAD only); a chunked body is refused.
/// </summary>
internal sealed class HttpRequestReader(Stream stream)
{
    private const int MaxHeadBytes = 32 * 1024;
    private const long MaxBodyBytes = 1024 * 1024;

    private readonly byte[] _buffer = new byte[MaxHeadBytes];
    private int _start;
    private int _end;

    /// <summary>The next request, or null when the peer closed the connection between requests.</summary>
    public async Task<HttpRequest?> ReadAsync(CancellationToken cancellationToken)
    {
        int headEnd;
        while ((headEnd = FindHeadEnd()) < 0)
        {
            if (_end - _start >= MaxHeadBytes)
            {
                return HttpRequest.Failed(431, "request head too large");
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _end += read;
            if (_buffer[_start] is < (byte)'A' or > (byte)'Z')
            {
                // Not HTTP (say, a TLS ClientHello from a client trying HTTPS first): refuse at
                // once, as Go's server does, rather than wait for a head that never comes.
                return HttpRequest.Failed(400, "client sent something other than an HTTP request");
            }
        }

        var head = Encoding.Latin1.GetString(_buffer, _start, headEnd - _start);
        _start = headEnd + 4;
        var request = HttpRequest.Parse(head);
        if (request.Error is null)
        {
            if (request.Headers.ContainsKey("Transfer-Encoding"))
            {
                return HttpRequest.Failed(501, "chunked request bodies are not supported");
            }

            if (request.Headers.TryGetValue("Content-Length", out var lengthText))
            {
                if (!long.TryParse(lengthText, out var length) || length < 0 || length > MaxBodyBytes)
                {
                    return HttpRequest.Failed(413, "request body too large");
                }

                await SkipAsync(length, cancellationToken).ConfigureAwait(false);
            }
        }

        return request;
    }

    private int FindHeadEnd() => _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8) is var i and >= 0 ? _start + i : -1;

    private async Task SkipAsync(long length, CancellationToken cancellationToken)
    {
        while (length > 0)
        {
            if (_end == _start)
            {
                _start = _end = 0;
                var read = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("connection closed inside a request body");
                }

                _end = read;
            }

            var take = (int)Math.Min(length, _end - _start);
            _start += take;
            length -= take;
        }
    }
}
