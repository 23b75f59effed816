using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// The host folders behind a pod's volumes: a hostPath is checked (or made) by its type; an
/// emptyDir is a folder of its own under the pod's play folder, world-writable as the
/// kubelet makes it, or owned by fsGroup with the setgid bit when the pod sets one.
/// </summary>
public sealed class PodVolumes
{
    private readonly Dictionary<string, string> _hostPaths = new(StringComparer.Ordinal);

    private PodVolumes()
    {
    }

    public string HostPathOf(string volume) => _hostPaths[volume];

    /// <summary>Prepares every volume of <paramref name="manifest"/>; emptyDirs go below <paramref name="podFolder"/>.</summary>
    public static PodVolumes Prepare(PodManifest manifest, string podFolder)
    {
        var result = new PodVolumes();
        foreach (var volume in manifest.Pod.Spec.Volumes ?? [])
        {
            if (volume.HostPath is { } hostPath)
            {
                // Like the kubelet, a hostPath made here is left in place when the pod goes.
                HostPathTypes.Prepare(hostPath.Path, hostPath.Type, volume.Name);
                result._hostPaths[volume.Name] = hostPath.Path;
            }
            else
            {
                result._hostPaths[volume.Name] = MakeEmptyDir(Path.Combine(podFolder, "volumes", volume.Name), manifest.Pod.Spec.SecurityContext?.FsGroup);
            }
        }

        return result;
    }

    private static string MakeEmptyDir(string folder, long? fsGroup)
    {
        Directory.CreateDirectory(folder);
        const UnixFileMode All = (UnixFileMode)0b111_111_111;
        if (fsGroup is { } group)
        {
            File.SetUnixFileMode(folder, All | UnixFileMode.SetGroup);
            Interop.FileOwnership.Change(folder, -1, group);
        }
        else
        {
            File.SetUnixFileMode(folder, All);
        }

        return folder;
    }

    /// <summary>The mounts of <paramref name="container"/>, in the manifest's order.</summary>
    public IEnumerable<CriO.Cri.Mount> MountsOf(V1Container container) =>
        (container.VolumeMounts ?? []).Select(m => new CriO.Cri.Mount
        {
            ContainerPath = m.MountPath,
            HostPath = _hostPaths[m.Name],
            Readonly = m.ReadOnlyProperty ?? false,
            Propagation = m.MountPropagation switch
            {
                "HostToContainer" => CriO.Cri.MountPropagation.PropagationHostToContainer,
                "Bidirectional" => CriO.Cri.MountPropagation.PropagationBidirectional,
                _ => CriO.Cri.MountPropagation.PropagationPrivate,
            },
        });
}
