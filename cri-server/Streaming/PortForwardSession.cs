using System.Net;
using System.Net.Sockets;
using System.Text;
using CriO.Server.Stats.Interop;

namespace CriO.Server.Streaming;

/// <summary>
/// Port forwarding over the channel protocol (the kubelet's WebSocket port-forward): port i of
/// the request has data channel 2i and error channel 2i+1, and the first message on each is the
/// port number (two bytes, little endian). Each port is one TCP connection to 127.0.0.1:PORT
/// inside the pod's network namespace, made from a thread that joins the namespace just for
/// the connect (a socket keeps the namespace it was made in). The session ends when a
/// connection closes or the client goes.
/// </summary>
internal static class PortForwardSession
{
    public static async Task RunAsync(ChannelWebSocket channels, PortForwardStreamRequest request, IReadOnlyList<int> ports, CancellationToken cancellationToken)
    {
        using var sessionEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connections = new Socket?[ports.Count];
        try
        {
            for (var i = 0; i < ports.Count; i++)
            {
                var header = new[] { (byte)(ports[i] & 0xff), (byte)(ports[i] >> 8) };
                await channels.SendAsync((byte)(2 * i), header, cancellationToken).ConfigureAwait(false);
                await channels.SendAsync((byte)((2 * i) + 1), header, cancellationToken).ConfigureAwait(false);
                try
                {
                    connections[i] = await ConnectInPodAsync(request.NetworkNamespace, ports[i]).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    var message = $"failed to connect to localhost:{ports[i]} inside pod {request.PodId}: {e.Message}";
                    await channels.SendAsync((byte)((2 * i) + 1), Encoding.UTF8.GetBytes(message), cancellationToken).ConfigureAwait(false);
                }
            }

            var input = channels.ReceiveAsync(async (channel, data) =>
            {
                var index = channel / 2;
                if (channel % 2 == 0 && index < connections.Length && connections[index] is { } connection)
                {
                    await connection.SendAsync(data, SocketFlags.None, sessionEnd.Token).ConfigureAwait(false);
                }
            }, sessionEnd.Token);

            // A port that could not be reached has said so on its error channel; the others go on.
            var outputs = connections.Select((connection, i) => (connection, i)).Where(c => c.connection is not null)
                .Select(c => CopyOutAsync(c.connection!, (byte)(2 * c.i), channels, sessionEnd.Token)).ToList();
            await Task.WhenAny([input, .. outputs.DefaultIfEmpty(Task.CompletedTask)]).ConfigureAwait(false);
            await ExecSession.CloseAsync(channels, input, sessionEnd, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection?.Dispose();
            }
        }
    }

    private static async Task CopyOutAsync(Socket connection, byte channel, ChannelWebSocket channels, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await channels.SendAsync(channel, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // Reset by the pod's server, or the session ended: either way this port is done.
        }
    }

    /// <summary>A TCP connection to 127.0.0.1:<paramref name="port"/> in the namespace at <paramref name="networkNamespace"/> (empty: the host's).</summary>
    internal static Task<Socket> ConnectInPodAsync(string networkNamespace, int port)
    {
        var done = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connector = new Thread(() =>
        {
            try
            {
                if (networkNamespace.Length > 0)
                {
                    using var file = NamespaceFile.Open(networkNamespace) ?? throw new IOException($"the pod's network namespace {networkNamespace} is gone");
                    NetworkNamespace.JoinOnThisThread(file, networkNamespace);
                }

                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
                    done.SetResult(socket);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "crio portforward connect",
        };
        connector.Start();
        return done.Task;
    }
}
