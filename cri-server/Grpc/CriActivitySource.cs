using System.Diagnostics;

namespace CriO.Server.Grpc;

/// <summary>The daemon's trace source: one span per RPC, started by the call interceptor.</summary>
public static class CriActivitySource
{
    public const string Name = "CriO.Server";

    public static ActivitySource Instance { get; } = new(Name);
}
