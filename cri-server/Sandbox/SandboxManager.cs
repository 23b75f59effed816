using CriO.Cni;
using CriO.Cri;
using CriO.Server.Daemon;
using CriO.Server.Sandbox.Cgroups;
using CriO.Storage.Store;
using Microsoft.Extensions.Logging;

namespace CriO.Server.Sandbox;

/// <summary>
/// Pod sandboxes: making (Run), releasing (Stop), removing and recovering them. Knows nothing of
/// gRPC; the RuntimeService handlers call it and errors leave as the CriException family.
/// Domain steps live in partial files: SandboxManager.Run.cs, .Stop.cs, .Remove.cs, .Recover.cs.
/// </summary>
public sealed partial class SandboxManager(
    DaemonState daemon,
    ContainerStorage storage,
    SandboxStore store,
    CniNetworkManager network,
    IPodCgroupManager cgroups,
    NamespacePinner pinner,
    Containers.ContainerManager containers,
    Containers.ContainerEvents events,
    TimeProvider time,
    ILogger<SandboxManager> logger)
{
    private readonly Runtime.CreationsInFlight _creations = new("RunPodSandbox", time, logger);

    // How long a pause process has to exit on SIGTERM before SIGKILL.
    private static readonly TimeSpan PauseGrace = TimeSpan.FromSeconds(10);

    public SandboxStore Store => store;

    public CniNetworkManager Network => network;

    private static bool IsHostNetwork(PodSandboxConfig config) =>
        config.Linux?.SecurityContext?.NamespaceOptions?.Network == NamespaceMode.Node;

    private static bool IsHostIpc(PodSandboxConfig config) =>
        config.Linux?.SecurityContext?.NamespaceOptions?.Ipc == NamespaceMode.Node;

    private static bool HasPodPidNamespace(PodSandboxConfig config) =>
        (config.Linux?.SecurityContext?.NamespaceOptions?.Pid ?? NamespaceMode.Container) == NamespaceMode.Pod;

    private PodNetworkAttachment Attachment(string id, PodSandboxConfig config, string netNamespace)
    {
        var metadata = config.Metadata;
        var bandwidth = BandwidthOf(config);
        return new PodNetworkAttachment(id, netNamespace, metadata.Name, metadata.Namespace, metadata.Uid)
        {
            PortMappings = [.. config.PortMappings
                .Where(p => p.HostPort > 0)
                .Select(p => new CriO.Cni.PortMapping(p.HostPort, p.ContainerPort, p.Protocol.ToString().ToLowerInvariant(), p.HostIp))],
            Bandwidth = bandwidth,
            PodCidrs = daemon.PodCidr.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Dns = config.DnsConfig is { } dns ? new DnsSettings([.. dns.Servers], [.. dns.Searches], [.. dns.Options]) : null,
        };
    }

    private static BandwidthLimits? BandwidthOf(PodSandboxConfig config)
    {
        // The kubelet leaves shaping to the runtime's CNI bandwidth plugin, through these annotations.
        var ingress = config.Annotations.TryGetValue(BandwidthQuantity.IngressAnnotation, out var i) ? BandwidthQuantity.Parse(i) : 0;
        var egress = config.Annotations.TryGetValue(BandwidthQuantity.EgressAnnotation, out var e) ? BandwidthQuantity.Parse(e) : 0;
        if (ingress == 0 && egress == 0)
        {
            return null;
        }

        // No burst limit beyond the rate, as the kubelet's own kubenet did.
        return new BandwidthLimits(ingress, ingress > 0 ? int.MaxValue : 0, egress, egress > 0 ? int.MaxValue : 0);
    }

    private string RecordFile(string id) => Path.Combine(storage.Directories.ContainerUserData(id).Graph, SandboxStore.RecordFileName);

    private void Save(PodSandbox pod, PodSandboxRecord record)
    {
        SandboxStore.Save(RecordFile(pod.Id), record);
        pod.Update(record);
    }
}
