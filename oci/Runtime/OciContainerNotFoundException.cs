namespace CriO.Oci.Runtime;

/// <summary>The runtime has no container with this id under its <c>--root</c>.</summary>
public sealed class OciContainerNotFoundException : OciRuntimeException
{
    public OciContainerNotFoundException()
    {
    }

    public OciContainerNotFoundException(string message)
        : base(message)
    {
    }

    public OciContainerNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OciContainerNotFoundException(string message, int exitCode, string runtimeMessage)
        : base(message, exitCode, runtimeMessage)
    {
    }
}
