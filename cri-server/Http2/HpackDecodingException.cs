namespace CriO.Server.Http2;

/// <summary>
/// A header block that breaks RFC 7541 or our size bounds. HTTP/2 treats every HPACK decoding
/// failure as a connection error (RFC 9113 §4.3), so whoever catches this ends the connection.
/// </summary>
internal sealed class HpackDecodingException : Exception
{
    public HpackDecodingException()
    {
    }

    public HpackDecodingException(string message)
        : base(message)
    {
    }

    public HpackDecodingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
