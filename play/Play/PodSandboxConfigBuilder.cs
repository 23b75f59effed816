using CriO.Cri;

namespace CriO.Server.Play;

/// <summary>
/// The RunPodSandbox config of a manifest, as the kubelet fills it: metadata (attempt 0), the
/// kubelet's pod labels over the manifest's labels, annotations, hostname, log folder
/// LOGROOT/NAMESPACE_NAME_UID, DNS, host ports, namespaces, pod security context and sysctls.
/// </summary>
public static class PodSandboxConfigBuilder
{
    public static PodSandboxConfig Build(PodManifest manifest, PlaySettings settings, string hostResolvConf = PodDns.HostResolvConf)
    {
        var spec = manifest.Pod.Spec;
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = manifest.Name, Namespace = manifest.Namespace, Uid = manifest.Uid, Attempt = 0 },
            Hostname = spec.HostNetwork == true ? Environment.MachineName : HostName(manifest),
            LogDirectory = settings.LogFolder(manifest.Namespace, manifest.Name, manifest.Uid),
            DnsConfig = PodDns.For(spec, hostResolvConf),
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = settings.CgroupParent,
                SecurityContext = SecurityContexts.ForSandbox(spec),
            },
        };
        config.Labels.Add(manifest.Pod.Metadata.Labels ?? new Dictionary<string, string>());
        config.Labels.Add(PodLabels(manifest));
        config.Annotations.Add(manifest.Pod.Metadata.Annotations ?? new Dictionary<string, string>());
        foreach (var sysctl in spec.SecurityContext?.Sysctls ?? [])
        {
            config.Linux.Sysctls[sysctl.Name] = sysctl.Value;
        }

        config.PortMappings.Add(manifest.AllContainers.SelectMany(c => c.Ports ?? []).Where(p => p.HostPort is > 0).Select(p => new PortMapping
        {
            Protocol = p.Protocol switch { "UDP" => Protocol.Udp, "SCTP" => Protocol.Sctp, _ => Protocol.Tcp },
            ContainerPort = p.ContainerPort,
            HostPort = p.HostPort ?? 0,
            HostIp = p.HostIP ?? "",
        }));
        return config;
    }

    /// <summary>The kubelet's labels on the pod and each of its containers (a manifest label of the same name loses).</summary>
    public static Dictionary<string, string> PodLabels(PodManifest manifest) => new(StringComparer.Ordinal)
    {
        [KubernetesLabels.PodName] = manifest.Name,
        [KubernetesLabels.PodNamespace] = manifest.Namespace,
        [KubernetesLabels.PodUid] = manifest.Uid,
        [KubernetesLabels.PlayedBy] = "true",
    };

    // A host-network pod has the node's name, as it shares the node's network identity; any
    // other pod has spec.hostname, else the pod's name, cut to the 63 characters of a host name as the kubelet does.
    private static string HostName(PodManifest manifest)
    {
        var name = string.IsNullOrEmpty(manifest.Pod.Spec.Hostname) ? manifest.Name : manifest.Pod.Spec.Hostname;
        return name.Length > 63 ? name[..63].TrimEnd('-', '.') : name;
    }
}
