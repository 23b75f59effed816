using CriO.Cri;
using CriO.Server.Errors;
using CriO.Server.Sandbox;

namespace CriO.Server.Tests.Sandbox;

public sealed class PodSandboxConfigValidatorTests
{
    private static PodSandboxConfig Valid() => new()
    {
        Metadata = new PodSandboxMetadata { Name = "web", Namespace = "default", Uid = "1234" },
        Hostname = "web-0",
        Linux = new LinuxPodSandboxConfig { SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption() } },
    };

    [Fact]
    public void A_complete_config_passes() => PodSandboxConfigValidator.Validate(Valid());

    [Theory]
    [InlineData("metadata", "config.metadata: missing")]
    [InlineData("name", "config.metadata.name: missing")]
    [InlineData("slash", "config.metadata.namespace")]
    [InlineData("hostname", "config.hostname")]
    [InlineData("logdir", "config.log_directory")]
    [InlineData("port", "config.port_mappings")]
    [InlineData("hostip", "host_ip")]
    [InlineData("netmode", "namespace_options")]
    [InlineData("pidtarget", "TARGET")]
    [InlineData("cgroup", "config.linux.cgroup_parent")]
    public void Each_bad_field_is_named(string what, string expected)
    {
        var config = Valid();
        switch (what)
        {
            case "metadata": config.Metadata = null; break;
            case "name": config.Metadata.Name = ""; break;
            case "slash": config.Metadata.Namespace = "a/b"; break;
            case "hostname": config.Hostname = "bad host"; break;
            case "logdir": config.LogDirectory = "relative/logs"; break;
            case "port": config.PortMappings.Add(new PortMapping { ContainerPort = 70000 }); break;
            case "hostip": config.PortMappings.Add(new PortMapping { ContainerPort = 80, HostPort = 80, HostIp = "nope" }); break;
            case "netmode": config.Linux.SecurityContext.NamespaceOptions.Network = NamespaceMode.Container; break;
            case "pidtarget": config.Linux.SecurityContext.NamespaceOptions.Pid = NamespaceMode.Target; break;
            case "cgroup": config.Linux.CgroupParent = "/kubepods/../escape"; break;
        }

        var error = Assert.Throws<InvalidArgumentException>(() => PodSandboxConfigValidator.Validate(config));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("net.ipv4.ip_forward", NamespaceMode.Node, NamespaceMode.Pod, "host's")]
    [InlineData("kernel.shmmax", NamespaceMode.Pod, NamespaceMode.Node, "host's")]
    [InlineData("kernel.panic", NamespaceMode.Pod, NamespaceMode.Pod, "not namespaced")]
    [InlineData("net/../../kernel/panic", NamespaceMode.Pod, NamespaceMode.Pod, "not namespaced")]
    public void Sysctls_must_be_namespaced_and_in_a_namespace_of_the_pod(string key, NamespaceMode network, NamespaceMode ipc, string expected)
    {
        var config = Valid();
        config.Linux.SecurityContext.NamespaceOptions.Network = network;
        config.Linux.SecurityContext.NamespaceOptions.Ipc = ipc;
        config.Linux.Sysctls[key] = "1";

        var error = Assert.Throws<InvalidArgumentException>(() => PodSandboxConfigValidator.Validate(config));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("net.core.somaxconn", NamespacedSysctls.Owner.Network)]
    [InlineData("net/ipv4/ping_group_range", NamespacedSysctls.Owner.Network)]
    [InlineData("kernel.sem", NamespacedSysctls.Owner.Ipc)]
    [InlineData("fs.mqueue.msg_max", NamespacedSysctls.Owner.Ipc)]
    [InlineData("kernel.domainname", NamespacedSysctls.Owner.Uts)]
    [InlineData("vm.swappiness", NamespacedSysctls.Owner.None)]
    [InlineData("net..x", NamespacedSysctls.Owner.None)]
    public void Sysctl_owners(string key, NamespacedSysctls.Owner owner) => Assert.Equal(owner, NamespacedSysctls.OwnerOf(key));
}
