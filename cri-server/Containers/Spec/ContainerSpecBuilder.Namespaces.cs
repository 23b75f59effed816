using System.Globalization;
using CriO.Cri;
using CriO.Oci.Spec;
using CriO.Server.Errors;

namespace CriO.Server.Containers.Spec;

public static partial class ContainerSpecBuilder
{
    /// <summary>
    /// linux.cgroupsPath: cgroupfs <c>PARENT/crio-ID</c>; systemd <c>SLICE:crio:ID</c>, which
    /// runc and crun turn into the scope crio-ID.scope in SLICE.
    /// </summary>
    public static string CgroupsPath(string cgroupManager, string cgroupParent, string containerId)
    {
        ArgumentNullException.ThrowIfNull(cgroupParent);
        return cgroupManager switch
        {
            "systemd" => $"{(cgroupParent.Length == 0 ? "system.slice" : cgroupParent)}:crio:{containerId}",
            "cgroupfs" => $"{(cgroupParent.Length == 0 ? "" : cgroupParent.TrimEnd('/'))}/crio-{containerId}",
            _ => throw new ArgumentException($"unknown cgroup manager \"{cgroupManager}\"", nameof(cgroupManager)),
        };
    }

    /// <summary>
    /// A new mount namespace always; the pod's pinned network, IPC and UTS namespaces (none where the
    /// pod shares the host's); the PID namespace by the kubelet's mode; a new cgroup namespace on
    /// cgroup v2, as CRI-O does.
    /// </summary>
    private static void BuildNamespaces(ContainerSpecInput input, LinuxContainerSecurityContext security, RuntimeSpec spec)
    {
        var pod = input.Pod;
        var namespaces = new List<LinuxNamespace> { new() { Type = "mount" } };
        if (pod.NetNamespace.Length > 0)
        {
            namespaces.Add(new LinuxNamespace { Type = "network", Path = pod.NetNamespace });
        }

        if (pod.IpcNamespace.Length > 0)
        {
            namespaces.Add(new LinuxNamespace { Type = "ipc", Path = pod.IpcNamespace });
        }

        if (pod.UtsNamespace.Length > 0)
        {
            namespaces.Add(new LinuxNamespace { Type = "uts", Path = pod.UtsNamespace });

            // runc refuses a hostname without a private UTS namespace.
            spec.Hostname = pod.Hostname.Length > 0 ? pod.Hostname : null;
        }

        // Without namespace options the kubelet means nothing shared: a PID namespace of its own.
        var options = security.NamespaceOptions;
        var pid = options?.Pid ?? NamespaceMode.Container;
        switch (pid)
        {
            case NamespaceMode.Container:
                namespaces.Add(new LinuxNamespace { Type = "pid" });
                break;
            case NamespaceMode.Pod:
                if (pod.PausePid <= 0)
                {
                    throw new FailedPreconditionException($"pod {pod.Id} has no PID namespace of its own to share (no pause process)");
                }

                namespaces.Add(new LinuxNamespace { Type = "pid", Path = ProcPidNamespace(pod.PausePid) });
                break;
            case NamespaceMode.Node:
                break;
            case NamespaceMode.Target:
                if (options!.TargetId.Length == 0)
                {
                    throw new InvalidArgumentException("namespace_options.target_id is empty for a TARGET PID namespace");
                }

                var resolve = input.TargetPid ?? throw new InvalidArgumentException("namespace_options: a TARGET PID namespace is not supported here");
                var targetPid = resolve(options.TargetId);
                if (targetPid <= 0)
                {
                    throw new FailedPreconditionException($"target container {options.TargetId} is not running");
                }

                namespaces.Add(new LinuxNamespace { Type = "pid", Path = ProcPidNamespace(targetPid) });
                break;
            default:
                throw new InvalidArgumentException($"namespace_options.pid: unknown mode {pid}");
        }

        if (KernelFeatures.CgroupV2)
        {
            namespaces.Add(new LinuxNamespace { Type = "cgroup" });
        }

        spec.Linux!.Namespaces = namespaces;
        spec.Linux.CgroupsPath = CgroupsPath(input.CgroupManager, pod.CgroupParent, input.ContainerId);
    }

    private static string ProcPidNamespace(int pid) => $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/pid";
}
