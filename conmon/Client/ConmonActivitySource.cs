using System.Diagnostics;

namespace CriO.Conmon.Client;

/// <summary>The monitor client's trace source: a span per conmon started, until the container is created.</summary>
public static class ConmonActivitySource
{
    public const string Name = "CriO.Conmon";

    public static ActivitySource Instance { get; } = new(Name);
}
