using System.Diagnostics;
using CriO.Cri;
using Grpc.Core;

namespace CriO.Bench.Sandbox;

/// <summary>The wall time of each call of one pod's life.</summary>
internal readonly record struct CycleTimes(TimeSpan Run, TimeSpan Stop, TimeSpan Remove)
{
    public TimeSpan Total => Run + Stop + Remove;
}

/// <summary>A call of the cycle failed: which one, and the runtime's answer.</summary>
internal sealed class CycleFailedException(string call, Exception inner)
    : Exception($"{call} failed: {CriPeer.Describe(inner)}", inner)
{
    public string Call { get; } = call;
}

/// <summary>
/// One pod's life as the kubelet drives it: RunPodSandbox, StopPodSandbox, RemovePodSandbox,
/// each timed on its own. The pod looks like one the kubelet makes (metadata, hostname, log
/// folder it created, DNS, its own cgroup parent, no shared PID namespace, no ports).
/// </summary>
internal static class SandboxCycle
{
    public const string PodNamespace = "crio-bench";

    public static PodSandboxConfig PodConfig(CriPeer peer, int iteration)
    {
        var uid = Guid.NewGuid().ToString();
        var name = $"bench-{peer.Name}-{iteration}";
        return new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Namespace = PodNamespace, Uid = uid, Attempt = 0 },
            Hostname = name,
            LogDirectory = Path.Join(peer.Folder, "pods", $"{PodNamespace}_{name}_{uid}"),
            DnsConfig = new DNSConfig { Servers = { "10.231.0.1" }, Searches = { "crio-bench.svc.cluster.local" }, Options = { "ndots:5" } },
            Labels =
            {
                ["io.kubernetes.pod.name"] = name,
                ["io.kubernetes.pod.namespace"] = PodNamespace,
                ["io.kubernetes.pod.uid"] = uid,
            },
            Annotations = { ["kubernetes.io/config.source"] = "api" },
            Linux = new LinuxPodSandboxConfig
            {
                // As the kubelet's cgroupfs driver names a pod's cgroup: PARENT/pod<uid>.
                CgroupParent = $"{peer.CgroupParent}/pod{uid}",
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Pod, Pid = NamespaceMode.Container, Ipc = NamespaceMode.Pod },
                },
            },
        };
    }

    /// <summary>
    /// Runs one cycle and returns its times. With <paramref name="verify"/> (the untimed warm-up)
    /// it also checks, between the calls, what PodSandboxStatus reports. A failed call throws
    /// <see cref="CycleFailedException"/> after a best-effort removal of the pod.
    /// </summary>
    public static async Task<CycleTimes> RunAsync(CriPeer peer, PodSandboxConfig config, bool verify, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(config.LogDirectory);
        var runtime = peer.Runtime;
        string? id = null;
        var call = nameof(runtime.RunPodSandbox);
        try
        {
            var clock = Stopwatch.StartNew();
            id = (await runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken)).PodSandboxId;
            var run = clock.Elapsed;
            if (verify)
            {
                await VerifyReadyAsync(peer, id, "warm-up pod", cancellationToken);
            }

            call = nameof(runtime.StopPodSandbox);
            clock.Restart();
            await runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
            var stop = clock.Elapsed;
            if (verify)
            {
                call = "PodSandboxStatus after StopPodSandbox";
                var status = await runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
                Check(status.Status.State == PodSandboxState.SandboxNotready, $"state {status.Status.State} after StopPodSandbox, not SANDBOX_NOTREADY");
            }

            call = nameof(runtime.RemovePodSandbox);
            clock.Restart();
            await runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
            var remove = clock.Elapsed;
            id = null;
            if (verify)
            {
                call = "ListPodSandbox after RemovePodSandbox";
                var left = await runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
                Check(left.Items.Count == 0, $"{left.Items.Count} pods still listed after RemovePodSandbox");
            }

            return new CycleTimes(run, stop, remove);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RpcException or InvalidOperationException)
        {
            if (id is not null)
            {
                await RemoveQuietlyAsync(peer, id);
            }

            throw new CycleFailedException(call, e);
        }
        finally
        {
            // The kubelet removes a pod's cgroup and log folder once the pod is gone; untimed.
            // When interrupted, the peer's disposal removes the pod over the CRI first.
            Directory.Delete(config.LogDirectory, recursive: true);
            if (!cancellationToken.IsCancellationRequested)
            {
                await HostTraces.RemoveCgroupTreeAsync(config.Linux.CgroupParent, TimeSpan.FromSeconds(5));
            }
        }
    }

    /// <summary>
    /// Runs a pod that stays for a while (the container benchmark's), untimed: its log folder
    /// first, then RunPodSandbox, checked ready. A failure throws <see cref="CycleFailedException"/>
    /// after a best-effort removal of the pod.
    /// </summary>
    public static async Task<string> StartPodAsync(CriPeer peer, PodSandboxConfig config, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(config.LogDirectory);
        string? id = null;
        var call = nameof(peer.Runtime.RunPodSandbox);
        try
        {
            id = (await peer.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken)).PodSandboxId;
            call = "PodSandboxStatus after RunPodSandbox";
            await VerifyReadyAsync(peer, id, "pod", cancellationToken);
            return id;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RpcException or InvalidOperationException)
        {
            if (id is not null)
            {
                await RemoveQuietlyAsync(peer, id);
            }

            throw new CycleFailedException(call, e);
        }
    }

    /// <summary>
    /// StopPodSandbox and RemovePodSandbox of a pod from <see cref="StartPodAsync"/>, untimed,
    /// then its log folder and cgroup, as the kubelet does. A failed call throws
    /// <see cref="CycleFailedException"/> (the peer's disposal removes what is left).
    /// </summary>
    public static async Task RemovePodAsync(CriPeer peer, PodSandboxConfig config, string id, CancellationToken cancellationToken)
    {
        var call = nameof(peer.Runtime.StopPodSandbox);
        try
        {
            await peer.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
            call = nameof(peer.Runtime.RemovePodSandbox);
            await peer.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RpcException)
        {
            throw new CycleFailedException(call, e);
        }

        Directory.Delete(config.LogDirectory, recursive: true);
        await HostTraces.RemoveCgroupTreeAsync(config.Linux.CgroupParent, TimeSpan.FromSeconds(5));
    }

    private static async Task VerifyReadyAsync(CriPeer peer, string id, string what, CancellationToken cancellationToken)
    {
        var status = await peer.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
        Check(status.Status.State == PodSandboxState.SandboxReady, $"state {status.Status.State} after RunPodSandbox, not SANDBOX_READY");
        var ip = status.Status.Network?.Ip ?? "";
        Check(ip.StartsWith(BenchNetwork.SubnetPrefix, StringComparison.Ordinal), $"pod IP \"{ip}\" is not in {BenchNetwork.Subnet}");
        Console.WriteLine($"{peer.Name}: {what} {id[..12]} ready, IP {ip}");
    }

    /// <summary>Throws InvalidOperationException with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    private static async Task RemoveQuietlyAsync(CriPeer peer, string id)
    {
        try
        {
            await peer.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, deadline: DateTime.UtcNow.AddSeconds(20));
            await peer.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, deadline: DateTime.UtcNow.AddSeconds(20));
        }
        catch (RpcException)
        {
            // The peer's disposal removes what is left, over the CRI or on the host.
        }
    }
}
