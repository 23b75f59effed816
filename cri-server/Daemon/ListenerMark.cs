using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CriO.Server.Daemon;

/// <summary>
/// The CRI socket, the streaming server and the metrics listener share one application; a
/// mark put on each connection a listener accepts lets a request know which listener it came
/// through, so routes meant for one (the inspect API, /metrics) answer nowhere else.
/// </summary>
public sealed class ListenerMark
{
    private readonly object _key = new();

    public void Apply(ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => connection =>
        {
            connection.Items[_key] = true;
            return next(connection);
        });
    }

    public bool IsOn(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(_key) ?? false;
    }
}
