using CriO.Cri;
using CriO.Image.Oci;
using CriO.Server.Sandbox;

namespace CriO.Server.Containers.Spec;

/// <summary>
/// Everything <see cref="ContainerSpecBuilder.Build"/> reads to make a container's config.json.
/// </summary>
/// <param name="ContainerId">The full container ID.</param>
/// <param name="Config">The kubelet's CreateContainer config.</param>
/// <param name="PodConfig">The pod's RunPodSandbox config (sysctls, metadata).</param>
/// <param name="Pod">The pod as recorded on disk: its namespaces, files and cgroup parent.</param>
/// <param name="Image">The image config, null when the image has none.</param>
/// <param name="ImageName">A name of the image, for the annotations.</param>
/// <param name="RootfsPath">The container's mounted root (absolute); untrusted content.</param>
/// <param name="CgroupManager"><c>cgroupfs</c> or <c>systemd</c>.</param>
/// <param name="Defaults">The node's [crio.runtime] defaults.</param>
/// <param name="ContainerDirectory">
/// The container's own folder (userdata): image VOLUMEs not covered by a CRI mount are bound from
/// <c>volumes/</c> in it. Empty: image volumes are left as they are in the image (CRI-O's
/// <c>image_volumes = "ignore"</c>).
/// </param>
/// <param name="TargetPid">
/// For a TARGET PID namespace: the host PID of the target container's process, by container ID;
/// throws NotFound for an unknown ID. Null: TARGET is refused.
/// </param>
public sealed record ContainerSpecInput(
    string ContainerId,
    ContainerConfig Config,
    PodSandboxConfig PodConfig,
    PodSandboxRecord Pod,
    OciImageConfig? Image,
    string ImageName,
    string RootfsPath,
    string CgroupManager,
    ContainerSpecDefaults Defaults,
    string ContainerDirectory = "",
    Func<string, int>? TargetPid = null);

/// <summary>
/// The node's defaults, from [crio.runtime].
/// </summary>
/// <param name="Capabilities">default_capabilities, with or without <c>CAP_</c>.</param>
/// <param name="Sysctls">default_sysctls, <c>key=value</c>.</param>
/// <param name="Ulimits">default_ulimits, such as <c>nofile=1024:2048</c>.</param>
/// <param name="SeccompProfilePath">seccomp_profile: the RuntimeDefault profile; empty for the built-in one.</param>
/// <param name="HostCapabilityBoundingSet">What a privileged container gets: the host's bounding set.</param>
/// <param name="AbsentMountSourcesToReject">
/// absent_mount_sources_to_reject: a missing CRI mount source on this list is refused; any other
/// missing source is made as a directory, as CRI-O and Docker do.
/// </param>
/// <param name="ApparmorProfile">
/// The AppArmor profile of RuntimeDefault (apparmor_profile), applied only when the kernel has
/// AppArmor; empty leaves RuntimeDefault unconfined (the profile is not loaded by CriO yet).
/// </param>
/// <param name="AdditionalDevices">additional_devices: <c>HOST[:CONTAINER][:PERMISSIONS]</c> given to every container.</param>
/// <param name="PrivilegedWithoutHostDevices">The handler's privileged_without_host_devices.</param>
/// <param name="DeviceOwnershipFromSecurityContext">
/// device_ownership_from_security_context: device nodes belong to the container's user and group
/// rather than to the host node's owner.
/// </param>
public sealed record ContainerSpecDefaults(
    IReadOnlyList<string> Capabilities,
    IReadOnlyList<string> Sysctls,
    IReadOnlyList<string> Ulimits,
    string SeccompProfilePath,
    IReadOnlyList<string> HostCapabilityBoundingSet,
    IReadOnlyList<string>? AbsentMountSourcesToReject = null,
    string ApparmorProfile = "",
    IReadOnlyList<string>? AdditionalDevices = null,
    bool PrivilegedWithoutHostDevices = false,
    bool DeviceOwnershipFromSecurityContext = false);
