using CriO.Cri;

namespace CriO.Server.Containers;

/// <summary>The name a container reserves, built as CRI-O builds it, so tools that parse it keep working.</summary>
public static class ContainerNames
{
    public static string Of(ContainerMetadata container, PodSandboxMetadata pod)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(pod);
        return $"k8s_{container.Name}_{pod.Name}_{pod.Namespace}_{pod.Uid}_{container.Attempt}";
    }
}
