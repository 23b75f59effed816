using System.Diagnostics;

namespace CriO.Cni;

/// <summary>The CNI library's trace source: a span per plugin execution (ADD, DEL, CHECK).</summary>
public static class CniActivitySource
{
    public const string Name = "CriO.Cni";

    public static ActivitySource Instance { get; } = new(Name);
}
