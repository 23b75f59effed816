namespace CriO.Server.Play;

/// <summary>The labels the kubelet puts on every pod and container it runs; crio play uses the same, so crictl and --down find its pods.</summary>
public static class KubernetesLabels
{
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string ContainerName = "io.kubernetes.container.name";

    /// <summary>Marks pods that crio play made, so --down never removes a pod the kubelet owns.</summary>
    public const string PlayedBy = "io.crio.play";
}
