using Grpc.Core;

namespace CriO.Server.Errors;

/// <summary>An operation ran out of the time the client gave it (an ExecSync timeout: the kubelet reads this code as a probe timeout).</summary>
public sealed class DeadlineExceededException(string message, Exception? inner = null) : CriException(message, inner)
{
    public override StatusCode StatusCode => StatusCode.DeadlineExceeded;
}
