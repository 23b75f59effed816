using CriO.Cri;
using CriO.Oci.Spec;
using CriO.Server.Errors;

namespace CriO.Server.Containers.Spec;

public static partial class ContainerSpecBuilder
{
    /// <summary>
    /// Capabilities, masked and read-only paths, seccomp and AppArmor. A privileged container gets
    /// the host's whole bounding set, every device, writable /sys and cgroup mounts, no masked
    /// paths and no seccomp or AppArmor confinement.
    /// </summary>
    private static void BuildSecurity(ContainerSpecInput input, LinuxContainerSecurityContext security, RuntimeSpec spec)
    {
        var process = spec.Process!;
        var linux = spec.Linux!;
        var all = input.Defaults.HostCapabilityBoundingSet.Count > 0 ? input.Defaults.HostCapabilityBoundingSet : Capabilities.Known;
        List<string> caps;
        if (security.Privileged)
        {
            caps = [.. all];
            linux.Resources!.Devices = [new LinuxDeviceCgroup { Allow = true, Access = "rwm" }];
            foreach (var mount in spec.Mounts!.Where(m => m.Destination is "/sys" or "/sys/fs/cgroup"))
            {
                mount.Options = [.. (mount.Options ?? []).Where(o => o != "ro"), "rw"];
            }
        }
        else
        {
            var requested = security.Capabilities ?? new Capability();
            caps = Capabilities.Apply(input.Defaults.Capabilities, requested.AddCapabilities, requested.DropCapabilities, all);
            linux.MaskedPaths = security.MaskedPaths.Count > 0 ? [.. security.MaskedPaths] : [.. RuntimeSpecDefaults.MaskedPaths];
            linux.ReadonlyPaths = security.ReadonlyPaths.Count > 0 ? [.. security.ReadonlyPaths] : [.. RuntimeSpecDefaults.ReadonlyPaths];
        }

        var ambient = (security.Capabilities?.AddAmbientCapabilities ?? []).Select(c => Capabilities.Normalize(c, "capabilities.add_ambient_capabilities")).ToList();
        var missing = ambient.FirstOrDefault(c => !caps.Contains(c));
        if (missing is not null)
        {
            throw new InvalidArgumentException($"capabilities.add_ambient_capabilities: {missing} is not among the container's capabilities");
        }

        process.Capabilities = new LinuxCapabilities
        {
            Bounding = [.. caps],
            Effective = [.. caps],
            Permitted = [.. caps],
            Inheritable = ambient.Count > 0 ? [.. ambient] : null,
            Ambient = ambient.Count > 0 ? [.. ambient] : null,
        };

        linux.Seccomp = security.Privileged ? null : Seccomp(input.Defaults, security, caps);
        if (!security.Privileged && KernelFeatures.AppArmor)
        {
            process.ApparmorProfile = AppArmorProfile(input.Defaults, security);
        }
    }

    /// <summary>
    /// The seccomp filter: the seccomp field, else the deprecated seccomp_profile_path. With
    /// neither, none: the CRI says an empty profile is unconfined, and CRI-O runs it so since
    /// 1.30 removed seccomp_use_default_when_empty (which had made it RuntimeDefault). A kubelet
    /// always names a profile, RuntimeDefault when the pod or its seccompDefault asks for it.
    /// (CRI-O 1.28 stopped reading the path at all; its explicit values are still honoured here.)
    /// </summary>
    private static LinuxSeccomp? Seccomp(ContainerSpecDefaults defaults, LinuxContainerSecurityContext security, List<string> caps)
    {
        SeccompProfile? profile;
        if (security.Seccomp is { } field)
        {
            profile = field.ProfileType switch
            {
                SecurityProfile.Types.ProfileType.RuntimeDefault => RuntimeDefault(defaults),
                SecurityProfile.Types.ProfileType.Unconfined => null,
                SecurityProfile.Types.ProfileType.Localhost => Path.IsPathFullyQualified(field.LocalhostRef)
                    ? SeccompProfile.Load(field.LocalhostRef, "seccomp.localhost_ref")
                    : throw new InvalidArgumentException($"seccomp.localhost_ref \"{field.LocalhostRef}\" is not an absolute path"),
                _ => throw new InvalidArgumentException($"seccomp: unknown profile type {field.ProfileType}"),
            };
        }
        else
        {
#pragma warning disable CS0612 // The deprecated field still comes from older kubelets.
            var path = security.SeccompProfilePath;
#pragma warning restore CS0612
            profile = path switch
            {
                "runtime/default" or "docker/default" => RuntimeDefault(defaults),
                "" or "unconfined" => null,
                _ when path.StartsWith("localhost/", StringComparison.Ordinal) && Path.IsPathFullyQualified(path["localhost/".Length..]) =>
                    SeccompProfile.Load(path["localhost/".Length..], "seccomp_profile_path"),
                _ => throw new InvalidArgumentException($"seccomp_profile_path \"{path}\" is not runtime/default, unconfined or localhost/ABSOLUTE-PATH"),
            };
        }

        return profile?.ToOci(caps);
    }

    private static SeccompProfile RuntimeDefault(ContainerSpecDefaults defaults) =>
        defaults.SeccompProfilePath.Length > 0
            ? SeccompProfile.Load(defaults.SeccompProfilePath, "seccomp_profile (crio.conf)")
            : DefaultSeccompProfile.Create();

    private static string? AppArmorProfile(ContainerSpecDefaults defaults, LinuxContainerSecurityContext security)
    {
        if (security.Apparmor is { } field)
        {
            return field.ProfileType switch
            {
                SecurityProfile.Types.ProfileType.RuntimeDefault => defaults.ApparmorProfile.Length > 0 ? defaults.ApparmorProfile : null,
                SecurityProfile.Types.ProfileType.Unconfined => "unconfined",
                SecurityProfile.Types.ProfileType.Localhost when field.LocalhostRef.Length > 0 => field.LocalhostRef.StartsWith("localhost/", StringComparison.Ordinal)
                    ? field.LocalhostRef["localhost/".Length..]
                    : field.LocalhostRef,
                _ => throw new InvalidArgumentException($"apparmor: profile type {field.ProfileType} needs a localhost_ref"),
            };
        }

#pragma warning disable CS0612 // The deprecated field still comes from older kubelets.
        var name = security.ApparmorProfile;
#pragma warning restore CS0612
        return name switch
        {
            "" or "runtime/default" => defaults.ApparmorProfile.Length > 0 ? defaults.ApparmorProfile : null,
            "unconfined" => "unconfined",
            _ when name.StartsWith("localhost/", StringComparison.Ordinal) => name["localhost/".Length..],
            _ => throw new InvalidArgumentException($"apparmor_profile \"{name}\" is not runtime/default, unconfined or localhost/NAME"),
        };
    }
}
