using Grpc.Core;

namespace CriO.Server.Errors;

/// <summary>
/// The one exception family domain code throws to say what went wrong in CRI terms. The call
/// interceptor turns it into the matching gRPC status; handlers never build a Status themselves.
/// </summary>
public abstract class CriException(string message, Exception? inner) : Exception(message, inner)
{
    public abstract StatusCode StatusCode { get; }
}
