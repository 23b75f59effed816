using System.Globalization;
using System.Runtime.ExceptionServices;
using CriO.Cri;
using CriO.Server.Stats.Interop;

namespace CriO.Server.Stats;

/// <summary>
/// Interface counters of a pod's network namespace. The namespace is entered by a dedicated,
/// short-lived thread (setns changes only the calling thread, and a pool thread must never be
/// left in a pod's namespace), which reads /proc/thread-self/net/dev: /proc/net and
/// /proc/self/net show the namespace of the process's main thread, not of the calling one.
/// </summary>
public static class NetworkCounters
{
    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// rx/tx bytes and errors of every interface but lo, sorted by name; empty when the pinned
    /// namespace file is gone (the pod was stopped). <paramref name="time"/> is the sampling time
    /// the caller stamps on the NetworkUsage (<see cref="CriStats.Network"/>); the per-interface
    /// messages carry none.
    /// </summary>
    public static IReadOnlyList<NetworkInterfaceUsage> Read(string netnsPath, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(netnsPath);
        _ = time;
        using var file = NamespaceFile.Open(netnsPath);
        if (file is null)
        {
            return [];
        }

        string? text = null;
        ExceptionDispatchInfo? failure = null;
        var reader = new Thread(() =>
        {
            try
            {
                NetworkNamespace.JoinOnThisThread(file, netnsPath);
                text = File.ReadAllText("/proc/thread-self/net/dev");
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns stats",
        };
        reader.Start();
        if (!reader.Join(ReadBound))
        {
            throw new TimeoutException($"reading the interface counters of {netnsPath} took over {ReadBound.TotalSeconds} s");
        }

        failure?.Throw();
        return Parse(text ?? "");
    }

    /// <summary>
    /// Parses /proc/net/dev: two header lines, then "name: rx_bytes rx_packets rx_errs rx_drop
    /// rx_fifo rx_frame rx_compressed rx_multicast tx_bytes tx_packets tx_errs ..." per interface.
    /// </summary>
    internal static IReadOnlyList<NetworkInterfaceUsage> Parse(string procNetDev)
    {
        var interfaces = new List<NetworkInterfaceUsage>();
        foreach (var line in procNetDev.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (name.Length == 0 || name == "lo" || fields.Length < 11)
            {
                continue;
            }

            interfaces.Add(new NetworkInterfaceUsage
            {
                Name = name,
                RxBytes = Counter(fields[0]),
                RxErrors = Counter(fields[2]),
                TxBytes = Counter(fields[8]),
                TxErrors = Counter(fields[10]),
            });
        }

        interfaces.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return interfaces;
    }

    private static UInt64Value? Counter(string field) =>
        ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? new UInt64Value { Value = value } : null;
}
