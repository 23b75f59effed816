using CriO.Cri;
using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// Pod and container securityContext as CRI security contexts, with the kubelet's precedence:
/// a container's field wins over the pod's; fsGroup joins the supplemental groups;
/// no_new_privs only when allowPrivilegeEscalation is false; seccomp Unconfined when neither
/// level names a profile (the kubelet's default without SeccompDefault); a container's user
/// from the image when neither level names one (so a runAsGroup always comes with a user).
/// </summary>
public static class SecurityContexts
{
    public static LinuxSandboxSecurityContext ForSandbox(V1PodSpec spec)
    {
        var pod = spec.SecurityContext;
        var result = new LinuxSandboxSecurityContext
        {
            NamespaceOptions = Namespaces(spec),
            Seccomp = Seccomp(pod?.SeccompProfile),
        };
        if (pod?.RunAsUser is { } user)
        {
            result.RunAsUser = new Int64Value { Value = user };
        }

        if (pod?.RunAsGroup is { } group)
        {
            result.RunAsGroup = new Int64Value { Value = group };
        }

        result.SupplementalGroups.Add(SupplementalGroups(pod));
        return result;
    }

    /// <param name="image">The image as ImageStatus reports it, for its user.</param>
    public static LinuxContainerSecurityContext ForContainer(V1PodSpec spec, V1Container container, CriO.Cri.Image image)
    {
        var pod = spec.SecurityContext;
        var own = container.SecurityContext;
        var result = new LinuxContainerSecurityContext
        {
            NamespaceOptions = Namespaces(spec),
            Privileged = own?.Privileged ?? false,
            ReadonlyRootfs = own?.ReadOnlyRootFilesystem ?? false,
            NoNewPrivs = own?.AllowPrivilegeEscalation == false,
            Seccomp = Seccomp(own?.SeccompProfile ?? pod?.SeccompProfile),
        };
        // As the kubelet does: the manifest's uid, else the image's uid or user name.
        if ((own?.RunAsUser ?? pod?.RunAsUser ?? ImageUid(image)) is { } user)
        {
            result.RunAsUser = new Int64Value { Value = user };
        }
        else
        {
            result.RunAsUsername = image.Username;
        }

        if ((own?.RunAsGroup ?? pod?.RunAsGroup) is { } group)
        {
            result.RunAsGroup = new Int64Value { Value = group };
        }

        result.SupplementalGroups.Add(SupplementalGroups(pod));
        if (own?.Capabilities is { } capabilities)
        {
            result.Capabilities = new Capability();
            result.Capabilities.AddCapabilities.Add(capabilities.Add ?? []);
            result.Capabilities.DropCapabilities.Add(capabilities.Drop ?? []);
        }

        return result;
    }

    /// <summary>
    /// The uid the image runs as when the manifest names none: its numeric USER, root when it has
    /// none (as the kubelet reads ImageStatus), null when it names its user by name only.
    /// </summary>
    public static long? ImageUid(CriO.Cri.Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Uid?.Value ?? (string.IsNullOrEmpty(image.Username) ? 0 : null);
    }

    /// <summary>runAsNonRoot (container over pod): whether the uid the container will run as must be checked against root.</summary>
    public static bool RunAsNonRoot(V1PodSpec spec, V1Container container) =>
        container.SecurityContext?.RunAsNonRoot ?? spec.SecurityContext?.RunAsNonRoot ?? false;

    /// <summary>
    /// The kubelet's runAsNonRoot check, given the uid from the manifest or else the image's
    /// (null when the image names its user by name only, which cannot be verified).
    /// </summary>
    public static void VerifyNonRoot(V1PodSpec spec, V1Container container, long? imageUid)
    {
        if (!RunAsNonRoot(spec, container))
        {
            return;
        }

        var uid = container.SecurityContext?.RunAsUser ?? spec.SecurityContext?.RunAsUser ?? imageUid;
        if (uid is null)
        {
            throw new ManifestException($"container \"{container.Name}\": runAsNonRoot is set but the image names a non-numeric user, so it cannot be verified; set runAsUser");
        }

        if (uid == 0)
        {
            throw new ManifestException($"container \"{container.Name}\": runAsNonRoot is set but the container would run as root (uid 0)");
        }
    }

    private static IEnumerable<long> SupplementalGroups(V1PodSecurityContext? pod) =>
        (pod?.SupplementalGroups ?? []).OfType<long>().Concat(pod?.FsGroup is { } fsGroup ? [fsGroup] : []);

    private static NamespaceOption Namespaces(V1PodSpec spec) => new()
    {
        Network = spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
        Pid = spec.HostPID == true ? NamespaceMode.Node : spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
        Ipc = spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
    };

    private static SecurityProfile Seccomp(V1SeccompProfile? profile) => profile?.Type switch
    {
        "RuntimeDefault" => new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault },
        "Localhost" => new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Localhost, LocalhostRef = profile.LocalhostProfile ?? "" },
        _ => new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.Unconfined },
    };
}
