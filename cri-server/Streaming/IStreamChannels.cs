namespace CriO.Server.Streaming;

/// <summary>
/// The numbered streams of an exec or attach session, whatever carries them: the channel
/// protocols over a WebSocket (a channel byte per message) or SPDY (a stream per channel).
/// Channel 0 is stdin, 1 stdout, 2 stderr, 3 the error channel, 4 resize; a client that has
/// finished writing its stdin says so with <see cref="CloseSignal"/> carrying 0.
/// </summary>
/// <remarks>
/// Sends and receives on a client that has gone throw <see cref="IOException"/> (or, for a
/// WebSocket, <see cref="System.Net.WebSockets.WebSocketException"/>).
/// </remarks>
internal interface IStreamChannels : IDisposable
{
    /// <summary>The close signal's channel number (v5.channel.k8s.io's; SPDY's end of a stream maps to it).</summary>
    public const byte CloseSignal = 255;

    /// <summary>The negotiated protocol.</summary>
    string Protocol { get; }

    /// <summary>v4 and newer carry a Kubernetes Status JSON on the error channel; older ones plain text.</summary>
    bool StatusErrors { get; }

    /// <summary>Sends <paramref name="data"/> on <paramref name="channel"/>; a channel the client did not open drops it.</summary>
    Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>
    /// Hands what the client sends to <paramref name="onMessage"/> as (channel, data) until the
    /// client has closed or gone.
    /// </summary>
    Task ReceiveAsync(Func<byte, ReadOnlyMemory<byte>, Task> onMessage, CancellationToken cancellationToken);

    /// <summary>Ends our side of the session (what clients take as its end).</summary>
    Task CloseAsync(CancellationToken cancellationToken);
}
