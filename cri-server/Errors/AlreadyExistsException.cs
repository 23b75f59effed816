using Grpc.Core;

namespace CriO.Server.Errors;

/// <summary>A name or ID is already taken; the message names the holder.</summary>
public sealed class AlreadyExistsException(string message, Exception? inner = null) : CriException(message, inner)
{
    public override StatusCode StatusCode => StatusCode.AlreadyExists;
}
