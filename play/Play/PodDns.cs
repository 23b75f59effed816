using CriO.Cri;
using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// The pod's resolv.conf as the kubelet derives it when there is no cluster DNS service:
/// dnsPolicy None takes dnsConfig alone; every other policy starts from the host's resolv.conf
/// (ClusterFirst falls back to it without a cluster) and appends dnsConfig's servers, searches
/// and options.
/// </summary>
public static class PodDns
{
    public const string HostResolvConf = "/etc/resolv.conf";

    public static DNSConfig For(V1PodSpec spec, string hostResolvConf = HostResolvConf)
    {
        var result = spec.DnsPolicy == "None" ? new DNSConfig() : ReadResolvConf(hostResolvConf);
        if (spec.DnsConfig is { } extra)
        {
            result.Servers.Add(extra.Nameservers ?? []);
            result.Searches.Add(extra.Searches ?? []);
            result.Options.Add((extra.Options ?? []).Select(o => string.IsNullOrEmpty(o.Value) ? o.Name : $"{o.Name}:{o.Value}"));
        }

        return result;
    }

    public static DNSConfig ReadResolvConf(string path)
    {
        var result = new DNSConfig();
        if (!File.Exists(path))
        {
            return result;
        }

        foreach (var line in File.ReadLines(path))
        {
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2)
            {
                continue;
            }

            switch (words[0])
            {
                case "nameserver":
                    result.Servers.Add(words[1]);
                    break;
                case "search" or "domain":
                    result.Searches.Add(words.Skip(1));
                    break;
                case "options":
                    result.Options.Add(words.Skip(1));
                    break;
            }
        }

        return result;
    }
}
