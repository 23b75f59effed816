using System.Globalization;
using System.Text.Json;
using CriO.Server.Sandbox;

namespace CriO.Server.Containers.Spec;

public static partial class ContainerSpecBuilder
{
    /// <summary>CRI-O's annotation keys (internal/annotations), so CRI-O tools and a restarted daemon read our containers.</summary>
    public static class Keys
    {
        public const string Annotations = "io.kubernetes.cri-o.Annotations";
        public const string ContainerId = "io.kubernetes.cri-o.ContainerID";
        public const string ContainerName = "io.kubernetes.cri-o.ContainerName";
        public const string ContainerType = "io.kubernetes.cri-o.ContainerType";
        public const string HostName = "io.kubernetes.cri-o.HostName";
        public const string ImageName = "io.kubernetes.cri-o.ImageName";
        public const string UserRequestedImage = "io.kubernetes.cri-o.Image";
        public const string KubeName = "io.kubernetes.cri-o.KubeName";
        public const string Labels = "io.kubernetes.cri-o.Labels";
        public const string LogPath = "io.kubernetes.cri-o.LogPath";
        public const string Metadata = "io.kubernetes.cri-o.Metadata";
        public const string Name = "io.kubernetes.cri-o.Name";
        public const string ResolvPath = "io.kubernetes.cri-o.ResolvPath";
        public const string HostnamePath = "io.kubernetes.cri-o.HostnamePath";
        public const string SandboxId = "io.kubernetes.cri-o.SandboxID";
        public const string SandboxName = "io.kubernetes.cri-o.SandboxName";
        public const string ShmPath = "io.kubernetes.cri-o.ShmPath";
        public const string MountPoint = "io.kubernetes.cri-o.MountPoint";
        public const string Tty = "io.kubernetes.cri-o.TTY";
        public const string Stdin = "io.kubernetes.cri-o.Stdin";
        public const string StdinOnce = "io.kubernetes.cri-o.StdinOnce";
        public const string Volumes = "io.kubernetes.cri-o.Volumes";
        public const string SeccompProfilePath = "io.kubernetes.cri-o.SeccompProfilePath";
        public const string ContainerManager = "io.container.manager";
        public const string KubeContainerName = "io.kubernetes.container.name";
        public const string KubePodName = "io.kubernetes.pod.name";
        public const string KubePodNamespace = "io.kubernetes.pod.namespace";
        public const string KubePodUid = "io.kubernetes.pod.uid";
    }

    internal sealed record MetadataRecord(string Name, uint Attempt);

    /// <summary>The container's reserved name, as CRI-O and the kubelet's dockershim made it: k8s_NAME_POD_NAMESPACE_UID_ATTEMPT.</summary>
    public static string ReservedName(Cri.ContainerMetadata container, Cri.PodSandboxMetadata pod)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(pod);
        return string.Create(CultureInfo.InvariantCulture, $"k8s_{container.Name}_{pod.Name}_{pod.Namespace}_{pod.Uid}_{container.Attempt}");
    }

    /// <summary>The kubelet's annotations, then CRI-O's own keys (which win: a client may not forge the ID).</summary>
    private static Dictionary<string, string> BuildAnnotations(ContainerSpecInput input, List<VolumeRecord> volumes)
    {
        var config = input.Config;
        var metadata = config.Metadata ?? new Cri.ContainerMetadata();
        var podMetadata = input.PodConfig.Metadata ?? new Cri.PodSandboxMetadata();
        var pod = input.Pod;
        var name = ReservedName(metadata, podMetadata);
        var result = new Dictionary<string, string>(config.Annotations, StringComparer.Ordinal)
        {
            [Keys.ContainerId] = input.ContainerId,
            [Keys.ContainerName] = name,
            [Keys.Name] = name,
            [Keys.KubeName] = metadata.Name,
            [Keys.ContainerType] = "container",
            [Keys.SandboxId] = pod.Id,
            [Keys.SandboxName] = pod.Name,
            [Keys.ImageName] = input.ImageName,
            [Keys.UserRequestedImage] = config.Image?.Image ?? input.ImageName,
            [Keys.Labels] = JsonSerializer.Serialize(new Dictionary<string, string>(config.Labels, StringComparer.Ordinal), AnnotationJsonContext.Default.DictionaryStringString),
            [Keys.Annotations] = JsonSerializer.Serialize(new Dictionary<string, string>(config.Annotations, StringComparer.Ordinal), AnnotationJsonContext.Default.DictionaryStringString),
            [Keys.Metadata] = JsonSerializer.Serialize(new MetadataRecord(metadata.Name, metadata.Attempt), AnnotationJsonContext.Default.MetadataRecord),
            [Keys.LogPath] = config.LogPath,
            [Keys.Tty] = config.Tty ? "true" : "false",
            [Keys.Stdin] = config.Stdin ? "true" : "false",
            [Keys.StdinOnce] = config.StdinOnce ? "true" : "false",
            [Keys.HostName] = pod.Hostname,
            [Keys.MountPoint] = input.RootfsPath,
            [Keys.Volumes] = JsonSerializer.Serialize(volumes, AnnotationJsonContext.Default.ListVolumeRecord),
            [Keys.SeccompProfilePath] = SeccompAnnotation(config.Linux?.SecurityContext),
            [Keys.ContainerManager] = "cri-o",
            [Keys.KubeContainerName] = metadata.Name,
            [Keys.KubePodName] = podMetadata.Name,
            [Keys.KubePodNamespace] = podMetadata.Namespace,
            [Keys.KubePodUid] = podMetadata.Uid,
        };

        if (pod.RunDirectory.Length > 0)
        {
            result[Keys.ResolvPath] = Path.Join(pod.RunDirectory, PodFiles.ResolvConf);
            result[Keys.HostnamePath] = Path.Join(pod.RunDirectory, PodFiles.HostnameFile);
        }

        if (pod.ShmPath.Length > 0)
        {
            result[Keys.ShmPath] = pod.ShmPath;
        }

        return result;
    }

    private static string SeccompAnnotation(Cri.LinuxContainerSecurityContext? security) => security?.Seccomp switch
    {
        { ProfileType: Cri.SecurityProfile.Types.ProfileType.Localhost } s => "localhost/" + s.LocalhostRef,
        { ProfileType: Cri.SecurityProfile.Types.ProfileType.Unconfined } => "unconfined",
        { } => "runtime/default",
#pragma warning disable CS0612 // The deprecated field still comes from older kubelets.
        // Nothing asked, nothing applied: CRI-O writes an empty value then too.
        null => security?.SeccompProfilePath ?? "",
#pragma warning restore CS0612
    };
}
