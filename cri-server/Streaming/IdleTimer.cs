namespace CriO.Server.Streaming;

/// <summary>
/// stream_idle_timeout: calls <c>onIdle</c> once a streaming connection has gone this long
/// without a message either way. Every message touches it; a zero or negative timeout never fires.
/// </summary>
internal sealed class IdleTimer : IDisposable
{
    private readonly CancellationTokenSource? _idle;
    private readonly TimeSpan _timeout;

    public IdleTimer(TimeSpan timeout, TimeProvider time, Action onIdle)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(onIdle);
        if (timeout > TimeSpan.Zero)
        {
            _timeout = timeout;
            _idle = new CancellationTokenSource(timeout, time);
            _idle.Token.Register(onIdle);
        }
    }

    /// <summary>Something moved: the timeout starts again.</summary>
    public void Touch()
    {
        try
        {
            _idle?.CancelAfter(_timeout);
        }
        catch (ObjectDisposedException)
        {
            // The connection is over.
        }
    }

    public void Dispose() => _idle?.Dispose();
}
