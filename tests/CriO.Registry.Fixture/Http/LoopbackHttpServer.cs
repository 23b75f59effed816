using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CriO.Registry.Fixture.Http;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port, bound once, so no race for it):
/// keep-alive, GET/HEAD with optional small request bodies, Content-Length responses only.
/// It is raw on purpose: the faulty registry must control exactly which bytes reach the wire
/// and when the connection closes (a truncated body ends in a FIN after the bytes it sent, a
/// stall holds the socket open), which a full server such as Kestrel hides.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly Func<HttpExchange, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _disposed;

    private LoopbackHttpServer(Socket listener, Func<HttpExchange, CancellationToken, Task> handler)
    {
        _listener = listener;
        _handler = handler;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>"127.0.0.1:PORT".</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>
    /// Starts serving; <paramref name="handler"/> answers one request, given a token that is
    /// cancelled when the server stops.
    /// </summary>
    public static LoopbackHttpServer Start(Func<HttpExchange, CancellationToken, Task> handler)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(128);
            return new LoopbackHttpServer(listener, handler);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        foreach (var socket in _connections.Keys)
        {
            CloseQuietly(socket);
        }

        // Every connection task ends once its socket is closed and the token is cancelled; the
        // bound only guards against a handler that ignores both.
        var all = Task.WhenAll(_connections.Values.Append(_acceptLoop));
        await Task.WhenAny(all, Task.Delay(StopTimeout)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            socket.NoDelay = true;
            _connections[socket] = ServeConnectionAsync(socket);
        }
    }

    private async Task ServeConnectionAsync(Socket socket)
    {
        // Yield so the accept loop records this task before it can finish and remove itself.
        await Task.Yield();
        try
        {
            using var stream = new NetworkStream(socket, ownsSocket: false);
            var reader = new HttpRequestReader(stream);
            while (!_stopping.IsCancellationRequested)
            {
                var request = await reader.ReadAsync(_stopping.Token).ConfigureAwait(false);
                if (request is null)
                {
                    break;
                }

                var exchange = new HttpExchange(request, stream);
                if (request.Error is { } error)
                {
                    await exchange.RespondAsync(error.Status, error.Message, _stopping.Token).ConfigureAwait(false);
                    break;
                }

                try
                {
                    await _handler(exchange, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not (OperationCanceledException or IOException or SocketException))
                {
                    // A fixture bug: answer 500 with the cause when still possible, else end the connection.
                    if (exchange.ResponseStarted)
                    {
                        break;
                    }

                    await exchange.RespondAsync(500, "handler failed: " + e, _stopping.Token).ConfigureAwait(false);
                }

                if (!exchange.ResponseStarted)
                {
                    await exchange.RespondAsync(500, "handler sent no response", _stopping.Token).ConfigureAwait(false);
                }

                await stream.FlushAsync(_stopping.Token).ConfigureAwait(false);
                if (exchange.CloseConnection || request.Close)
                {
                    break;
                }
            }

            // A graceful close: the bytes already written arrive, then the peer reads end of stream.
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or the server is stopping: nothing to answer.
        }
        finally
        {
            CloseQuietly(socket);
            _connections.TryRemove(socket, out _);
        }
    }

    private static void CloseQuietly(Socket socket)
    {
        try
        {
            socket.Dispose();
        }
        catch (SocketException)
        {
            // Already closed.
        }
    }
}
