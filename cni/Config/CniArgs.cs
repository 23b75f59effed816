namespace CriO.Cni.Config;

/// <summary>
/// The CNI_ARGS a Kubernetes runtime passes: the pod's identity, led by IgnoreUnknown=1 so
/// plugins that do not know the K8S_ keys accept them. The pairs are also kept in the cache
/// entry (libcni's <c>cniArgs</c>).
/// </summary>
internal static class CniArgs
{
    public static IReadOnlyList<KeyValuePair<string, string>> For(PodNetworkAttachment pod) =>
    [
        new("IgnoreUnknown", "1"),
        new("K8S_POD_NAMESPACE", pod.PodNamespace),
        new("K8S_POD_NAME", pod.PodName),
        new("K8S_POD_INFRA_CONTAINER_ID", pod.ContainerId),
        new("K8S_POD_UID", pod.PodUid),
    ];

    /// <summary>The CNI_ARGS value: <c>K=V</c> pairs joined with ';'.</summary>
    public static string Format(IReadOnlyList<KeyValuePair<string, string>> pairs) =>
        string.Join(';', pairs.Select(p => $"{p.Key}={p.Value}"));
}
