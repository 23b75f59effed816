using CriO.Image.Registry;

namespace CriO.Image.Pull;

/// <summary>One place to try an image at: a registry (a mirror or the primary), the repository there, and a tag or digest.</summary>
public sealed record PullSource(RegistryEndpoint Endpoint, string Repository, string Reference)
{
    public override string ToString() => $"{Endpoint.Host}/{Repository}{(Reference.Contains(':', StringComparison.Ordinal) ? "@" : ":")}{Reference}";
}
