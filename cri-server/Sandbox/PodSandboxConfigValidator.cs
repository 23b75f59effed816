using System.Net;
using CriO.Cri;
using CriO.Server.Errors;

namespace CriO.Server.Sandbox;

/// <summary>
/// Checks a RunPodSandbox config before anything is made, so bad input costs nothing and the
/// error names the field. Only what would otherwise fail late, or silently do the wrong thing,
/// is checked: the kubelet's own validation runs before ours.
/// </summary>
public static class PodSandboxConfigValidator
{
    public static void Validate(PodSandboxConfig? config)
    {
        if (config is null)
        {
            throw new InvalidArgumentException("config: missing");
        }

        var metadata = config.Metadata ?? throw new InvalidArgumentException("config.metadata: missing");
        RequireName(metadata.Name, "config.metadata.name");
        RequireName(metadata.Namespace, "config.metadata.namespace");
        RequireName(metadata.Uid, "config.metadata.uid");
        if (config.Hostname.Length > 64 || config.Hostname.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
        {
            throw new InvalidArgumentException($"config.hostname: \"{config.Hostname}\" is not a valid host name (letters, digits, '-' and '.', at most 64)");
        }

        if (config.LogDirectory.Length > 0 && !config.LogDirectory.StartsWith('/'))
        {
            throw new InvalidArgumentException($"config.log_directory: \"{config.LogDirectory}\" is not an absolute path");
        }

        ValidateDns(config.DnsConfig);
        ValidatePorts(config.PortMappings);
        ValidateLinux(config.Linux);
    }

    private static void RequireName(string value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidArgumentException($"{field}: missing");
        }

        // The name becomes part of file names and CNI_ARGS: no separators or control characters.
        if (value.Length > 253 || value.Any(c => char.IsControl(c) || c is '/' or ';' or '=' or '\0'))
        {
            throw new InvalidArgumentException($"{field}: \"{value}\" has characters that are not allowed ('/', ';', '=', control characters) or is longer than 253");
        }
    }

    private static void ValidateDns(DNSConfig? dns)
    {
        if (dns is null)
        {
            return;
        }

        foreach (var server in dns.Servers)
        {
            if (!IPAddress.TryParse(server, out _))
            {
                throw new InvalidArgumentException($"config.dns_config.servers: \"{server}\" is not an IP address");
            }
        }

        foreach (var entry in dns.Searches.Concat(dns.Options))
        {
            if (entry.Length == 0 || entry.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                throw new InvalidArgumentException($"config.dns_config: \"{entry}\" is not a valid search domain or option");
            }
        }
    }

    private static void ValidatePorts(IEnumerable<PortMapping> ports)
    {
        foreach (var port in ports)
        {
            if (port.ContainerPort is < 0 or > 65535 || port.HostPort is < 0 or > 65535)
            {
                throw new InvalidArgumentException($"config.port_mappings: port {port.ContainerPort} -> {port.HostPort} is out of range");
            }

            if (port.HostIp.Length > 0 && !IPAddress.TryParse(port.HostIp, out _))
            {
                throw new InvalidArgumentException($"config.port_mappings: host_ip \"{port.HostIp}\" is not an IP address");
            }
        }
    }

    private static void ValidateLinux(LinuxPodSandboxConfig? linux)
    {
        if (linux is null)
        {
            return;
        }

        var options = linux.SecurityContext?.NamespaceOptions;
        var hostNetwork = options?.Network == NamespaceMode.Node;
        var hostIpc = options?.Ipc == NamespaceMode.Node;
        if (options is not null)
        {
            if (options.Network is NamespaceMode.Container or NamespaceMode.Target || options.Ipc is NamespaceMode.Container or NamespaceMode.Target)
            {
                throw new InvalidArgumentException("config.linux.security_context.namespace_options: network and ipc must be POD or NODE for a pod");
            }

            if (options.Pid == NamespaceMode.Target)
            {
                throw new InvalidArgumentException("config.linux.security_context.namespace_options.pid: TARGET is for containers, not pods");
            }
        }

        foreach (var (key, _) in linux.Sysctls)
        {
            var owner = NamespacedSysctls.OwnerOf(key);
            var problem = owner switch
            {
                NamespacedSysctls.Owner.None => "is not namespaced: it would change the node",
                NamespacedSysctls.Owner.Network when hostNetwork => "needs the pod's own network namespace, but the pod uses the host's",
                NamespacedSysctls.Owner.Ipc when hostIpc => "needs the pod's own IPC namespace, but the pod uses the host's",
                NamespacedSysctls.Owner.Uts when hostNetwork => "needs the pod's own UTS namespace, but the pod uses the host's",
                _ => null,
            };
            if (problem is not null)
            {
                throw new InvalidArgumentException($"config.linux.sysctls: \"{key}\" {problem}");
            }
        }

        if (linux.CgroupParent.Length > 0 && (linux.CgroupParent.Contains("..", StringComparison.Ordinal) || linux.CgroupParent.Any(char.IsControl)))
        {
            throw new InvalidArgumentException($"config.linux.cgroup_parent: \"{linux.CgroupParent}\" is not a valid cgroup path");
        }
    }
}
