using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CriO.Server.Streaming.Spdy;

/// <summary>
/// Port forwarding over SPDY (portforward.k8s.io): for every connection it forwards, the
/// client opens an error stream and a data stream with the same <c>requestid</c> and
/// <c>port</c> headers; once both are there, the data stream is joined to a TCP connection to
/// 127.0.0.1:PORT inside the pod, and a failure is told as text on the error stream. Many
/// requests run at once on one connection, which lasts until the client closes it.
/// </summary>
/// <remarks>
/// The SPDY connection comes either from an HTTP upgrade to SPDY/3.1 or, as client-go forwards
/// ports since Kubernetes 1.30 (KEP-4006), tunnelled in a WebSocket whose subprotocol is
/// <see cref="TunnelProtocol"/>: the SPDY frames ride in binary messages back to back, with no
/// channel byte, and the tunnel's close is the connection's end (<see cref="SpdyWebSocketTunnel"/>).
/// </remarks>
internal static class SpdyPortForward
{
    public const string Protocol = "portforward.k8s.io";

    /// <summary>The WebSocket subprotocol of SPDY tunnelled in a WebSocket.</summary>
    public const string TunnelProtocol = "SPDY/3.1+" + Protocol;

    public static async Task RunAsync(SpdyConnection connection, PortForwardStreamRequest request, TimeSpan streamCreationTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);
        var pairs = new Dictionary<string, Pair>(StringComparer.Ordinal);
        var forwards = new List<Task>();
        using var sessionEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (await connection.AcceptAsync(cancellationToken).ConfigureAwait(false) is { } stream)
            {
                if (!HasValidHeaders(stream))
                {
                    // The kubelet resets such a stream rather than replying to it.
                    await stream.ResetAsync(SpdyFrames.ProtocolError, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await stream.ReplyAsync(cancellationToken).ConfigureAwait(false);
                var id = RequestId(stream);
                Pair? pair;
                bool added;
                lock (pairs)
                {
                    if (!pairs.TryGetValue(id, out pair))
                    {
                        pairs[id] = pair = new Pair(id);
                        _ = ExpireAsync(pair, pairs, streamCreationTimeout, sessionEnd.Token);
                    }

                    added = pair.Add(stream);
                    if (added && pair.Complete)
                    {
                        pairs.Remove(id);
                    }
                }

                if (!added)
                {
                    await WriteErrorAsync(pair.Error, $"error processing stream for request {id}: {stream.Headers.Get("streamtype")} stream already assigned", cancellationToken).ConfigureAwait(false);
                    await stream.ResetAsync(SpdyFrames.StreamInUse, cancellationToken).ConfigureAwait(false);
                }
                else if (pair.Complete)
                {
                    forwards.RemoveAll(f => f.IsCompleted);
                    forwards.Add(ForwardAsync(pair, request, sessionEnd.Token));
                }
            }
        }
        finally
        {
            await sessionEnd.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(forwards).ConfigureAwait(false);
        }
    }

    /// <summary>A port (1–65535) and a stream type of error or data.</summary>
    private static bool HasValidHeaders(SpdyStream stream) =>
        ushort.TryParse(stream.Headers.Get("port"), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port >= 1
        && stream.Headers.Get("streamtype") is "error" or "data";

    /// <summary>
    /// The request a stream belongs to. Clients older than the <c>requestid</c> header open the
    /// error stream and then the data stream two ids later, so their ids pair them (only while
    /// their requests do not overlap, as the kubelet also accepts).
    /// </summary>
    internal static string RequestId(SpdyStream stream)
    {
        if (stream.Headers.Get("requestid") is { Length: > 0 } id)
        {
            return id;
        }

        var errorStreamId = stream.Headers.Get("streamtype") == "data" ? stream.Id - 2 : stream.Id;
        return errorStreamId.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task ExpireAsync(Pair pair, Dictionary<string, Pair> pairs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (pairs)
        {
            if (!pairs.Remove(pair.Id) || pair.Complete)
            {
                return;
            }
        }

        await WriteErrorAsync(pair.Error, $"timed out waiting for the streams of request {pair.Id}", CancellationToken.None).ConfigureAwait(false);
        if (pair.Data is { } data)
        {
            await data.ResetAsync(SpdyFrames.Cancel, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task ForwardAsync(Pair pair, PortForwardStreamRequest request, CancellationToken cancellationToken)
    {
        var data = pair.Data!;
        var error = pair.Error!;
        error.DiscardInput();
        var port = int.Parse(data.Headers.Get("port")!, CultureInfo.InvariantCulture);
        try
        {
            Socket connection;
            try
            {
                connection = await PortForwardSession.ConnectInPodAsync(request.NetworkNamespace, port).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                await WriteErrorAsync(error, $"error forwarding port {port} to pod {request.PodId}, uid : failed to connect to localhost:{port} inside the pod: {e.Message}", cancellationToken).ConfigureAwait(false);
                await data.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            using (connection)
            {
                var inbound = CopyInAsync(data, connection, cancellationToken);
                await CopyOutAsync(connection, data, cancellationToken).ConfigureAwait(false);
                await data.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                await error.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
                await Task.WhenAny(inbound, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client, or the whole session, has gone.
        }
    }

    /// <summary>Client to pod; the end of the client's data stream half-closes the pod connection.</summary>
    private static async Task CopyInAsync(SpdyStream data, Socket connection, CancellationToken cancellationToken)
    {
        try
        {
            while (await data.ReadAsync(cancellationToken).ConfigureAwait(false) is { } piece)
            {
                await connection.SendAsync(piece, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }

            if (data.IsReset)
            {
                connection.Close();
            }
            else
            {
                connection.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The pod's side closed, or the session ended.
        }
    }

    /// <summary>Pod to client, until the pod's server closes its side.</summary>
    private static async Task CopyOutAsync(Socket connection, SpdyStream data, CancellationToken cancellationToken)
    {
        var buffer = new byte[SpdyConnection.MaxDataFrame];
        try
        {
            int read;
            while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await data.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by the pod's server, or closed because the client reset the stream.
        }
    }

    private static async Task WriteErrorAsync(SpdyStream? error, string message, CancellationToken cancellationToken)
    {
        if (error is null || error.LocalFinished)
        {
            return;
        }

        try
        {
            await error.WriteAsync(Encoding.UTF8.GetBytes(message), cancellationToken).ConfigureAwait(false);
            await error.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The client has gone.
        }
    }

    private sealed class Pair(string id)
    {
        public string Id => id;

        public SpdyStream? Error { get; private set; }

        public SpdyStream? Data { get; private set; }

        public bool Complete => Error is not null && Data is not null;

        public bool Add(SpdyStream stream)
        {
            if (stream.Headers.Get("streamtype") == "error")
            {
                if (Error is not null)
                {
                    return false;
                }

                Error = stream;
            }
            else
            {
                if (Data is not null)
                {
                    return false;
                }

                Data = stream;
            }

            return true;
        }
    }
}
