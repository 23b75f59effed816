using System.Text;
using CriO.Cri;
using CriO.Storage.Interop;

namespace CriO.Server.Sandbox;

/// <summary>
/// The files every container of a pod mounts: /etc/resolv.conf, /etc/hostname, /etc/hosts and
/// a /dev/shm tmpfs. They live in the pod's run-root folder, which dies with a reboot as the
/// pod's namespaces do.
/// </summary>
public static class PodFiles
{
    public const string ResolvConf = "resolv.conf";
    public const string HostnameFile = "hostname";
    public const string HostsFile = "hosts";
    public const string Shm = "shm";

    // CRI-O's default size of a pod's /dev/shm.
    private const string ShmOptions = "mode=1777,size=65536k";

    // MS_NOSUID | MS_NODEV | MS_NOEXEC: nothing on a pod's shm may run or act as a device.
    private const ulong ShmFlags = 0x2 | 0x4 | 0x8;

    /// <summary>resolv.conf from the kubelet's dns_config, or the node's own when it sent none.</summary>
    public static void WriteResolvConf(string directory, DNSConfig? dns, string hostResolvConf = "/etc/resolv.conf")
    {
        var path = Path.Combine(directory, ResolvConf);
        if (dns is null || (dns.Servers.Count == 0 && dns.Searches.Count == 0 && dns.Options.Count == 0))
        {
            File.WriteAllBytes(path, File.Exists(hostResolvConf) ? File.ReadAllBytes(hostResolvConf) : []);
            return;
        }

        var text = new StringBuilder();
        foreach (var server in dns.Servers)
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }

        if (dns.Searches.Count > 0)
        {
            text.Append("search ").AppendJoin(' ', dns.Searches).Append('\n');
        }

        if (dns.Options.Count > 0)
        {
            text.Append("options ").AppendJoin(' ', dns.Options).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    public static void WriteHostname(string directory, string hostname) =>
        File.WriteAllText(Path.Combine(directory, HostnameFile), hostname + "\n");

    /// <summary>
    /// /etc/hosts: the node's for a host-network pod; else localhost and, once the network is up,
    /// the pod's own addresses under its host name.
    /// </summary>
    public static void WriteHosts(string directory, string hostname, IReadOnlyList<string> podIps, bool hostNetwork, string hostHosts = "/etc/hosts")
    {
        var path = Path.Combine(directory, HostsFile);
        if (hostNetwork)
        {
            File.WriteAllBytes(path, File.Exists(hostHosts) ? File.ReadAllBytes(hostHosts) : []);
            return;
        }

        var text = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        foreach (var ip in podIps)
        {
            text.Append(ip).Append('\t').Append(hostname).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Mounts the pod's own /dev/shm; returns its path.</summary>
    /// <summary>Where a pod's own /dev/shm is mounted.</summary>
    public static string ShmPath(string directory) => Path.Combine(directory, Shm);

    public static string MountShm(string directory)
    {
        var path = ShmPath(directory);
        Directory.CreateDirectory(path);
        MountCalls.Mount("shm", path, "tmpfs", ShmFlags, ShmOptions);
        return path;
    }

    /// <summary>Unmounts a pod's shm; nothing to do when it is not mounted (a reboot, or a second Stop).</summary>
    public static void UnmountShm(string path)
    {
        if (path.Length > 0 && Directory.Exists(path))
        {
            MountCalls.Unmount(path, MountCalls.MntDetach);
        }
    }
}
