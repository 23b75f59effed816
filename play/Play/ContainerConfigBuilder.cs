using CriO.Cri;
using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// The CreateContainer config of one container of a manifest: command and args with $(VAR)
/// expanded, working folder, environment, mounts, the kubelet's labels, log path NAME/0.log
/// under the pod's log folder, resources (with the oom_score_adj of the pod's QoS class) and
/// security context.
/// </summary>
public static class ContainerConfigBuilder
{
    /// <param name="memoryCapacity">The node's memory in bytes, which a Burstable container's oom_score_adj is relative to.</param>
    /// <param name="image">The container's image as ImageStatus reports it: its ID, and its user for a container that names none.</param>
    public static ContainerConfig Build(PodManifest manifest, V1Container container, CriO.Cri.Image image, PodEnvironment environment, PodVolumes volumes, long memoryCapacity)
    {
        var env = environment.For(container);
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = container.Name, Attempt = 0 },
            Image = new ImageSpec { Image = image.Id, UserSpecifiedImage = container.Image },
            WorkingDir = container.WorkingDir ?? "",
            LogPath = Path.Combine(container.Name, "0.log"),
            Stdin = container.Stdin ?? false,
            StdinOnce = container.StdinOnce ?? false,
            Tty = container.Tty ?? false,
            Linux = new LinuxContainerConfig
            {
                Resources = ContainerResources.From(container.Resources),
                SecurityContext = SecurityContexts.ForContainer(manifest.Pod.Spec, container, image),
            },
        };
        config.Linux.Resources.OomScoreAdj = PodQos.OomScoreAdj(manifest.Pod.Spec, container, memoryCapacity);
        config.Command.Add(environment.ExpandAll(container.Command, env));
        config.Args.Add(environment.ExpandAll(container.Args, env));
        config.Envs.Add(env.Select(e => new KeyValue { Key = e.Key, Value = e.Value }));
        config.Mounts.Add(volumes.MountsOf(container));
        config.Labels.Add(PodSandboxConfigBuilder.PodLabels(manifest));
        config.Labels[KubernetesLabels.ContainerName] = container.Name;
        config.Annotations["io.kubernetes.container.restartCount"] = "0";
        config.Annotations["io.kubernetes.pod.terminationGracePeriod"] = (manifest.Pod.Spec.TerminationGracePeriodSeconds ?? 30).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return config;
    }
}
