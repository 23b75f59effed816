using Grpc.Core;

namespace CriO.Server.Errors;

/// <summary>The object is not in a state that allows the call (e.g. starting a removed container).</summary>
public sealed class FailedPreconditionException(string message, Exception? inner = null) : CriException(message, inner)
{
    public override StatusCode StatusCode => StatusCode.FailedPrecondition;
}
