using System.Net.WebSockets;
using System.Text;

namespace CriO.Server.Streaming;

/// <summary>
/// The Kubernetes channel protocols over a WebSocket (k8s.io/apimachinery's wsstream): every
/// message starts with its channel number — a byte in the binary protocols, an ASCII digit
/// with base64 data in the base64 ones. v5.channel.k8s.io adds a close signal: channel 255
/// with the number of the stream the client has finished writing (its stdin).
/// </summary>
internal sealed class ChannelWebSocket : IStreamChannels
{
    private readonly WebSocket _socket;
    private readonly string _protocol;
    private readonly IdleTimer _idle;

    /// <param name="idleTimeout">Aborts the WebSocket after this long without a message (stream_idle_timeout); zero: never.</param>
    public ChannelWebSocket(WebSocket socket, string protocol, TimeSpan idleTimeout, TimeProvider time)
    {
        _socket = socket;
        _protocol = protocol;
        _idle = new IdleTimer(idleTimeout, time, socket.Abort);
    }

    /// <summary>Exec and attach subprotocols, newest first.</summary>
    public static readonly string[] RemoteCommandProtocols =
        ["v5.channel.k8s.io", "v4.channel.k8s.io", "v4.base64.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io", "base64.channel.k8s.io"];

    /// <summary>Port-forward subprotocols: the channel ones, and SPDY tunnelled in the WebSocket (served by SpdyPortForward).</summary>
    public static readonly string[] PortForwardProtocols =
        [Spdy.SpdyPortForward.TunnelProtocol, "v4.channel.k8s.io", "v4.base64.channel.k8s.io", "channel.k8s.io", "base64.channel.k8s.io"];

    /// <summary>
    /// The largest message taken from a client (clients send stdin in pieces of at most 32 KiB
    /// and resizes of a few bytes); a larger one ends the session with MessageTooBig rather than
    /// growing the daemon's memory with what the client sends.
    /// </summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly SemaphoreSlim _sending = new(1, 1);

    public string Protocol => _protocol;

    public bool StatusErrors => _protocol.StartsWith("v4.", StringComparison.Ordinal) || _protocol.StartsWith("v5.", StringComparison.Ordinal);

    private bool Base64 => _protocol.Contains("base64", StringComparison.Ordinal);

    /// <summary>The first protocol the client offered that is in <paramref name="supported"/>; null when none is.</summary>
    public static string? Negotiate(IList<string> offered, IReadOnlyList<string> supported) =>
        offered.FirstOrDefault(p => supported.Contains(p, StringComparer.Ordinal));

    /// <summary>Sends one message on <paramref name="channel"/>; sends are serialized, as a WebSocket needs.</summary>
    public async Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        byte[] message;
        WebSocketMessageType type;
        if (Base64)
        {
            message = Encoding.ASCII.GetBytes((char)('0' + channel) + Convert.ToBase64String(data.Span));
            type = WebSocketMessageType.Text;
        }
        else
        {
            message = new byte[data.Length + 1];
            message[0] = channel;
            data.Span.CopyTo(message.AsSpan(1));
            type = WebSocketMessageType.Binary;
        }

        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(message, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            _idle.Touch();
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// Reads messages until the client closes, handing each to <paramref name="onMessage"/> as
    /// (channel, data). Returns when the client has closed or gone.
    /// </summary>
    public async Task ReceiveAsync(Func<byte, ReadOnlyMemory<byte>, Task> onMessage, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        using var message = new MemoryStream();
        while (_socket.State == WebSocketState.Open)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                _idle.Touch();
            }
            catch (WebSocketException)
            {
                return;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            if (message.Length + result.Count > MaxMessageBytes)
            {
                await CloseQuietlyAsync(WebSocketCloseStatus.MessageTooBig, $"a message larger than {MaxMessageBytes} bytes", cancellationToken).ConfigureAwait(false);
                return;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var bytes = message.ToArray();
            message.SetLength(0);
            if (bytes.Length == 0)
            {
                continue;
            }

            if (Base64)
            {
                var channel = (byte)(bytes[0] - '0');
                await onMessage(channel, Convert.FromBase64String(Encoding.ASCII.GetString(bytes, 1, bytes.Length - 1))).ConfigureAwait(false);
            }
            else
            {
                await onMessage(bytes[0], bytes.AsMemory(1)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Closes the WebSocket normally (what clients take as the end of the session).</summary>
    public Task CloseAsync(CancellationToken cancellationToken) => CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);

    private async Task CloseQuietlyAsync(WebSocketCloseStatus status, string? reason, CancellationToken cancellationToken)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(status, reason, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
            // The client has gone already.
        }
    }

    public void Dispose()
    {
        _idle.Dispose();
        _sending.Dispose();
        _socket.Dispose();
    }
}
