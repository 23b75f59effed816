using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CriO.Server.Inspect;

/// <summary>
/// The connections open on the CRI socket and its HTTP/1.1 relay listener, by Kestrel's
/// connection id (which requests carry as HttpContext.Connection.Id): a request knows from it
/// that it came through the socket's file permissions and not over a network listener.
/// </summary>
public sealed class CriSocketConnections
{
    private readonly ConcurrentDictionary<string, byte> _open = new(StringComparer.Ordinal);

    public void Track(ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => async connection =>
        {
            _open[connection.ConnectionId] = 0;
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                _open.TryRemove(connection.ConnectionId, out _);
            }
        });
    }

    public bool Contains(string connectionId) => _open.ContainsKey(connectionId);
}
