using CriO.Cri;

namespace CriO.Server.Sandbox;

/// <summary>The name a pod reserves, built as CRI-O builds it, so tools that parse it keep working.</summary>
public static class SandboxNames
{
    public static string Of(PodSandboxMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return $"k8s_{metadata.Name}_{metadata.Namespace}_{metadata.Uid}_{metadata.Attempt}";
    }
}
