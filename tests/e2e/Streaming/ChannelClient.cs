using System.Net.WebSockets;
using System.Text;

namespace CriO.E2E.Tests.Streaming;

/// <summary>
/// Our own client for the Kubernetes channel protocols over WebSocket: connects to a URL that
/// Exec, Attach or PortForward returned, sends (channel, data) messages, and collects what the
/// server sends per channel until it closes.
/// </summary>
internal sealed class ChannelClient : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly ClientWebSocket _socket = new();

    private ChannelClient()
    {
    }

    public string? Protocol => _socket.SubProtocol;

    public static Task<ChannelClient> ConnectAsync(string url, params string[] protocols) => ConnectAsync(url, null, null, protocols);

    /// <summary>
    /// Connects; over TLS (an https URL) the server's certificate must be <paramref name="trusted"/>,
    /// and <paramref name="own"/>, if given, is shown as the client's.
    /// </summary>
    public static async Task<ChannelClient> ConnectAsync(
        string url, System.Security.Cryptography.X509Certificates.X509Certificate2? trusted, System.Security.Cryptography.X509Certificates.X509Certificate2? own, params string[] protocols)
    {
        var client = new ChannelClient();
        if (trusted is not null)
        {
            client._socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString();
        }

        if (own is not null)
        {
            client._socket.Options.ClientCertificates.Add(own);
        }

        foreach (var protocol in protocols.Length > 0 ? protocols : ["v5.channel.k8s.io"])
        {
            client._socket.Options.AddSubProtocol(protocol);
        }

        using var timeout = new CancellationTokenSource(Bound);
        var target = url.Replace("https://", "wss://", StringComparison.Ordinal).Replace("http://", "ws://", StringComparison.Ordinal);
        await client._socket.ConnectAsync(new Uri(target), timeout.Token);
        return client;
    }

    public async Task SendAsync(byte channel, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await SendAsync(channel, bytes);
    }

    public async Task SendAsync(byte channel, byte[] data)
    {
        using var timeout = new CancellationTokenSource(Bound);
        await _socket.SendAsync((byte[])[channel, .. data], WebSocketMessageType.Binary, true, timeout.Token);
    }

    /// <summary>Every message until the server closes, by channel (data concatenated), and the first message of each channel apart.</summary>
    public async Task<Dictionary<byte, List<byte[]>>> ReadToCloseAsync()
    {
        var messages = new Dictionary<byte, List<byte[]>>();
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                return messages;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                var bytes = message.ToArray();
                message.SetLength(0);
                if (!messages.TryGetValue(bytes[0], out var list))
                {
                    messages[bytes[0]] = list = [];
                }

                list.Add(bytes[1..]);
            }
        }
    }

    /// <summary>Reads until <paramref name="channel"/> has carried <paramref name="expected"/>; what it carried.</summary>
    public async Task<string> ReadUntilAsync(byte channel, string expected)
    {
        var received = new StringBuilder();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Bound);
        while (!received.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var result = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            if (result.Count > 0 && buffer[0] == channel)
            {
                received.Append(Encoding.UTF8.GetString(buffer, 1, result.Count - 1));
            }
        }

        return received.ToString();
    }

    public static string Text(Dictionary<byte, List<byte[]>> messages, byte channel, int skip = 0) =>
        messages.TryGetValue(channel, out var list) ? string.Concat(list.Skip(skip).Select(m => Encoding.UTF8.GetString(m))) : "";

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
    }
}
