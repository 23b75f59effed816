using Grpc.Core;

namespace CriO.Server.Errors;

/// <summary>A named object (pod, container, image) does not exist.</summary>
public sealed class NotFoundException(string message, Exception? inner = null) : CriException(message, inner)
{
    public override StatusCode StatusCode => StatusCode.NotFound;
}
