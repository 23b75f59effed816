using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CriO.Server.Inspect;

/// <summary>
/// Lets HTTP/1.1 clients (CRI-O's `crio status`, `curl --unix-socket`) reach the inspect API on
/// the CRI socket, which Kestrel can only serve as prior-knowledge HTTP/2 (the kubelet's gRPC):
/// Kestrel picks one protocol per cleartext endpoint. A connection that does not open with the
/// HTTP/2 preface is relayed byte for byte to a private HTTP/1.1 listener beside the socket.
/// </summary>
public sealed class Http1Bridge
{
    private static readonly byte[] Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly ConnectionDelegate _next;
    private readonly string _http1Socket;

    private Http1Bridge(ConnectionDelegate next, string http1Socket)
    {
        _next = next;
        _http1Socket = http1Socket;
    }

    /// <summary>The private HTTP/1.1 socket of a CRI socket: hidden beside it, owner-only.</summary>
    public static string Http1SocketOf(string criSocket) =>
        Path.Combine(Path.GetDirectoryName(criSocket) ?? "/", "." + Path.GetFileName(criSocket) + ".http1");

    /// <summary>Puts the bridge first on the CRI socket's connections.</summary>
    public static void Use(ListenOptions listen, string http1Socket)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => new Http1Bridge(next, http1Socket).OnConnectionAsync);
    }

    private async Task OnConnectionAsync(ConnectionContext connection)
    {
        if (await StartsWithHttp2PrefaceAsync(connection.Transport.Input, connection.ConnectionClosed).ConfigureAwait(false))
        {
            await _next(connection).ConfigureAwait(false);
            return;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_http1Socket), connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            connection.Abort();
            return;
        }

        await using var relay = new NetworkStream(socket, ownsSocket: false);
        using var clientDone = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        var toServer = RelayAsync(() => connection.Transport.Input.CopyToAsync(relay, clientDone.Token), () => socket.Shutdown(SocketShutdown.Send));
        await RelayAsync(() => relay.CopyToAsync(connection.Transport.Output, connection.ConnectionClosed), () => { }).ConfigureAwait(false);

        // The listener has closed (or the client went): whatever the client still sends has nowhere to go.
        await clientDone.CancelAsync().ConfigureAwait(false);
        await toServer.ConfigureAwait(false);
    }

    // A relay direction ends when its source does or the connection is cut; either way the
    // other side is told by half-closing, and nothing is thrown into Kestrel.
    private static async Task RelayAsync(Func<Task> copy, Action halfClose)
    {
        try
        {
            await copy().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ConnectionResetException or ObjectDisposedException)
        {
        }
        finally
        {
            try
            {
                halfClose();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Reads just enough to tell (nothing is consumed): a differing byte or the whole preface.</summary>
    private static async Task<bool> StartsWithHttp2PrefaceAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read;
            try
            {
                read = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return true;
            }

            var buffer = read.Buffer;
            var length = (int)Math.Min(buffer.Length, Http2Preface.Length);
            var start = buffer.Slice(0, length).ToArray();
            var matches = start.AsSpan().SequenceEqual(Http2Preface.AsSpan(0, length));
            if (!matches || length == Http2Preface.Length || read.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                return matches;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
