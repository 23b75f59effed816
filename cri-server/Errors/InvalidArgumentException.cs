using Grpc.Core;

namespace CriO.Server.Errors;

/// <summary>A request field is missing or malformed; the message names the field and why.</summary>
public sealed class InvalidArgumentException(string message, Exception? inner = null) : CriException(message, inner)
{
    public override StatusCode StatusCode => StatusCode.InvalidArgument;
}
