using System.Diagnostics;

namespace CriO.Image;

/// <summary>The image library's trace source: a span per layer brought in from a registry.</summary>
public static class ImageActivitySource
{
    public const string Name = "CriO.Image";

    public static ActivitySource Instance { get; } = new(Name);
}
