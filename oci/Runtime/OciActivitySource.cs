using System.Diagnostics;

namespace CriO.Oci.Runtime;

/// <summary>The OCI runtime client's trace source: a span per runtime call that changes a container.</summary>
public static class OciActivitySource
{
    public const string Name = "CriO.Oci";

    public static ActivitySource Instance { get; } = new(Name);
}
