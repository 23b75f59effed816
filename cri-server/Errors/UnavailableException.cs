using Grpc.Core;

namespace CriO.Server.Errors;

/// <summary>The daemon cannot serve the call now (starting up, shutting down); the client may retry.</summary>
public sealed class UnavailableException(string message, Exception? inner = null) : CriException(message, inner)
{
    public override StatusCode StatusCode => StatusCode.Unavailable;
}
