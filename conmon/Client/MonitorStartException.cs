namespace CriO.Conmon.Client;

/// <summary>
/// The monitor did not create the container: the runtime's create failed (then
/// <see cref="RuntimeMessage"/> holds the runtime's error as conmon relayed it), conmon itself
/// failed, or the bounded wait ran out.
/// </summary>
public sealed class MonitorStartException : Exception
{
    public MonitorStartException()
    {
    }

    public MonitorStartException(string message)
        : base(message)
    {
    }

    public MonitorStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MonitorStartException(string message, string? runtimeMessage)
        : base(message)
    {
        RuntimeMessage = runtimeMessage;
    }

    /// <summary>The runtime's error message from the sync pipe, when conmon sent one.</summary>
    public string? RuntimeMessage { get; }
}
