using CriO.Cri;
using CriO.Server.Sandbox;

namespace CriO.Server.Runtime;

/// <summary>How a pod looks in CRI answers: the ListPodSandbox entry and the PodSandboxStatus.</summary>
public static class SandboxViews
{
    public static CriO.Cri.PodSandbox ListEntry(Sandbox.PodSandbox pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var record = pod.Record;
        return new CriO.Cri.PodSandbox
        {
            Id = pod.Id,
            Metadata = pod.Config.Metadata,
            State = State(pod),
            CreatedAt = record.CreatedAt,
            Labels = { pod.Config.Labels },
            Annotations = { pod.Config.Annotations },
            RuntimeHandler = record.RuntimeHandler,
        };
    }

    public static PodSandboxStatus Status(Sandbox.PodSandbox pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var record = pod.Record;
        var status = new PodSandboxStatus
        {
            Id = pod.Id,
            Metadata = pod.Config.Metadata,
            State = State(pod),
            CreatedAt = record.CreatedAt,
            Network = new PodSandboxNetworkStatus { Ip = record.Ips.Count > 0 ? record.Ips[0] : "" },
            Linux = new LinuxPodSandboxStatus
            {
                Namespaces = new Namespace { Options = pod.Config.Linux?.SecurityContext?.NamespaceOptions ?? new NamespaceOption { Pid = NamespaceMode.Container } },
            },
            Labels = { pod.Config.Labels },
            Annotations = { pod.Config.Annotations },
            RuntimeHandler = record.RuntimeHandler,
        };
        foreach (var ip in record.Ips.Skip(1))
        {
            status.Network.AdditionalIps.Add(new PodIP { Ip = ip });
        }

        return status;
    }

    /// <summary>The verbose "info" of PodSandboxStatus: what an operator debugging the pod wants to see.</summary>
    public static string Info(Sandbox.PodSandbox pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var record = pod.Record;
        return JsonText.Object(json =>
        {
            json.WriteNumber("pid", record.PausePid);
            json.WriteString("hostname", record.Hostname);
            json.WriteString("runtimeHandler", record.RuntimeHandler);
            json.WriteString("netNamespace", record.NetNamespace);
            json.WriteString("ipcNamespace", record.IpcNamespace);
            json.WriteString("utsNamespace", record.UtsNamespace);
            json.WriteString("cniNetwork", record.NetworkName);
            json.WriteString("cgroupParent", record.CgroupParent);
            json.WriteString("resolvPath", Path.Combine(record.RunDirectory, PodFiles.ResolvConf));
            json.WriteString("hostnamePath", Path.Combine(record.RunDirectory, PodFiles.HostnameFile));
            json.WriteString("hostsPath", Path.Combine(record.RunDirectory, PodFiles.HostsFile));
            json.WriteString("shmPath", record.ShmPath);
        });
    }

    private static PodSandboxState State(Sandbox.PodSandbox pod) =>
        pod.IsReady ? PodSandboxState.SandboxReady : PodSandboxState.SandboxNotready;
}
