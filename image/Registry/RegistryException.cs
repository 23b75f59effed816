using System.Net;

namespace CriO.Image.Registry;

/// <summary>A registry answered with an error, or could not be reached; the message says which and why.</summary>
public sealed class RegistryException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public bool IsNotFound => Status == HttpStatusCode.NotFound;

    public bool IsUnauthorized => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}
