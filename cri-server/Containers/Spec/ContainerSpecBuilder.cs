using CriO.Cri;
using CriO.Oci.Spec;
using CriO.Server.Errors;

namespace CriO.Server.Containers.Spec;

/// <summary>
/// Makes a container's OCI config.json from the kubelet's CreateContainer request, the pod and
/// the image, with CRI-O's semantics. Each step lives in its own file (Process, User, Mounts,
/// Namespaces, Resources, Security, Devices, Annotations). Pure apart from reading the rootfs's
/// /etc/passwd and /etc/group, the kernel's feature files, the host's device nodes, and making missing mount sources and
/// image-volume folders. Bad input throws <see cref="InvalidArgumentException"/> naming the field.
/// </summary>
public static partial class ContainerSpecBuilder
{
    public static RuntimeSpec Build(ContainerSpecInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.ContainerId.Length == 0)
        {
            throw new InvalidArgumentException("container ID is empty");
        }

        if (!Path.IsPathFullyQualified(input.RootfsPath))
        {
            throw new InvalidArgumentException($"container root \"{input.RootfsPath}\" is not an absolute path");
        }

        var config = input.Config;
        var security = config.Linux?.SecurityContext ?? new LinuxContainerSecurityContext();
        var spec = new RuntimeSpec
        {
            Process = new ProcessSpec(),
            Root = new RootSpec { Path = input.RootfsPath, Readonly = security.ReadonlyRootfs },
            Mounts = RuntimeSpecDefaults.Mounts(),
            Linux = new LinuxSpec { Resources = new LinuxResources { Devices = RuntimeSpecDefaults.DeviceRules() } },
        };

        BuildProcess(input, spec.Process);
        spec.Process.User = ResolveUser(input.RootfsPath, security, input.Image?.Config?.User);
        BuildNamespaces(input, security, spec);
        var volumes = BuildMounts(input, security, spec);
        BuildResources(input, spec);
        BuildSysctls(input, spec);
        spec.Process.Rlimits = ParseUlimits(input.Defaults.Ulimits);
        BuildSecurity(input, security, spec);
        BuildDevices(input, security, spec);
        spec.Annotations = BuildAnnotations(input, volumes);
        return spec;
    }
}
