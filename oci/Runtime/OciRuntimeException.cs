namespace CriO.Oci.Runtime;

/// <summary>
/// An OCI runtime command failed; <see cref="Exception.Message"/> carries the runtime's own
/// words (its JSON log lines' <c>msg</c>, or its plain stderr).
/// </summary>
public class OciRuntimeException : Exception
{
    public OciRuntimeException()
    {
    }

    public OciRuntimeException(string message)
        : base(message)
    {
    }

    public OciRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OciRuntimeException(string message, int exitCode, string runtimeMessage)
        : base(message)
    {
        ExitCode = exitCode;
        RuntimeMessage = runtimeMessage;
    }

    /// <summary>The runtime's exit code, or null when it did not finish (timeout, failed start).</summary>
    public int? ExitCode { get; }

    /// <summary>What the runtime said, one line per log entry.</summary>
    public string RuntimeMessage { get; } = "";
}
