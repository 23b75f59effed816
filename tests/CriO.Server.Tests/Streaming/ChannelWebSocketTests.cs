using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using CriO.Server.Streaming;

namespace CriO.Server.Tests.Streaming;

/// <summary>The channel protocol's reader against a real WebSocket client over loopback TCP.</summary>
public sealed class ChannelWebSocketTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    // A client's message is held whole until its end: without a bound, one endless message
    // would grow the daemon's memory for as long as the client kept sending.
    [Fact]
    public async Task A_message_over_the_bound_ends_the_session_with_MessageTooBig_after_what_came_before()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var clientSocket = new TcpClient();
        await clientSocket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var serverSocket = await listener.AcceptTcpClientAsync();
        using var client = WebSocket.CreateFromStream(clientSocket.GetStream(), new WebSocketCreationOptions { IsServer = false });
        using var channels = new ChannelWebSocket(
            WebSocket.CreateFromStream(serverSocket.GetStream(), new WebSocketCreationOptions { IsServer = true }), "v5.channel.k8s.io", TimeSpan.Zero, TimeProvider.System);
        using var timeout = new CancellationTokenSource(Bound);

        var received = new List<(byte Channel, int Length)>();
        var reading = channels.ReceiveAsync((channel, data) =>
        {
            received.Add((channel, data.Length));
            return Task.CompletedTask;
        }, timeout.Token);

        await client.SendAsync(new byte[] { 0, (byte)'h', (byte)'i' }, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
        var piece = new byte[64 * 1024];
        var closed = client.ReceiveAsync(new byte[256], timeout.Token);
        try
        {
            for (var sent = 0; sent <= ChannelWebSocket.MaxMessageBytes && !closed.IsCompleted; sent += piece.Length)
            {
                await client.SendAsync(piece, WebSocketMessageType.Binary, endOfMessage: false, timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            // The server may close before the last pieces are out.
        }

        await reading.WaitAsync(Bound);
        var close = await closed.WaitAsync(Bound);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
        Assert.Equal([((byte)0, 2)], received);
    }
}
