using System.Diagnostics;
using CriO.Cri;
using Grpc.Core;

namespace CriO.Bench.Sandbox;

/// <summary>The wall time of CreateContainer and StartContainer of one container.</summary>
internal readonly record struct ContainerTimes(TimeSpan Create, TimeSpan Start)
{
    public TimeSpan Total => Create + Start;
}

/// <summary>A pod that stays for the whole run: its config (log folder, cgroup) and id.</summary>
internal sealed record BenchPod(PodSandboxConfig Config, string Id);

/// <summary>
/// One container's life in a pod that stays, as the kubelet drives it: CreateContainer and
/// StartContainer, each timed, then StopContainer (timeout 0) and RemoveContainer, untimed.
/// The container runs `sleep 600` from the busybox image both runtimes have (the pause image),
/// logs to c&lt;N&gt;.log in the pod's log folder, with empty linux.resources and the RuntimeDefault seccomp profile.
/// </summary>
internal static class ContainerCycle
{
    public static ContainerConfig Config(int iteration) => new()
    {
        Metadata = new ContainerMetadata { Name = $"c{iteration}", Attempt = 0 },
        Image = new ImageSpec { Image = PauseImage.Name },
        Command = { "sleep", "600" },
        LogPath = $"c{iteration}.log",
        // RuntimeDefault seccomp for both, asked for explicitly as a kubelet with seccompDefault
        // (or a pod's seccompProfile) asks: with nothing asked, both run a container unconfined.
        Linux = new LinuxContainerConfig
        {
            Resources = new LinuxContainerResources(),
            SecurityContext = new LinuxContainerSecurityContext { Seccomp = new SecurityProfile { ProfileType = SecurityProfile.Types.ProfileType.RuntimeDefault } },
        },
    };

    /// <summary>
    /// Runs one container's cycle in <paramref name="pod"/> and returns its create and start times.
    /// With <paramref name="verify"/> (the untimed warm-up) it also checks ContainerStatus (RUNNING
    /// after Start, EXITED after Stop), the log file, and that nothing is listed after Remove. A
    /// failed call throws <see cref="CycleFailedException"/> after a best-effort removal.
    /// </summary>
    public static async Task<ContainerTimes> RunAsync(CriPeer peer, BenchPod pod, int iteration, bool verify, CancellationToken cancellationToken)
    {
        var runtime = peer.Runtime;
        var config = Config(iteration);
        string? id = null;
        var call = nameof(runtime.CreateContainer);
        try
        {
            var clock = Stopwatch.StartNew();
            id = (await runtime.CreateContainerAsync(
                new CreateContainerRequest { PodSandboxId = pod.Id, Config = config, SandboxConfig = pod.Config },
                deadline: CriPeer.Deadline(),
                cancellationToken: cancellationToken)).ContainerId;
            var create = clock.Elapsed;

            call = nameof(runtime.StartContainer);
            clock.Restart();
            await runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
            var start = clock.Elapsed;
            if (verify)
            {
                call = "ContainerStatus after StartContainer";
                var status = await StatusAsync(peer, id, cancellationToken);
                SandboxCycle.Check(status.State == ContainerState.ContainerRunning, $"state {status.State} after StartContainer, not CONTAINER_RUNNING");
                var log = Path.Join(pod.Config.LogDirectory, config.LogPath);
                SandboxCycle.Check(File.Exists(log), $"no log file at {log}");
                Console.WriteLine($"{peer.Name}: warm-up container {id[..12]} running, logging to {config.LogPath}");
            }

            call = nameof(runtime.StopContainer);
            await runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = 0 }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
            if (verify)
            {
                call = "ContainerStatus after StopContainer";
                var status = await StatusAsync(peer, id, cancellationToken);
                SandboxCycle.Check(status.State == ContainerState.ContainerExited, $"state {status.State} after StopContainer, not CONTAINER_EXITED");
            }

            call = nameof(runtime.RemoveContainer);
            await runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
            id = null;
            if (verify)
            {
                call = "ListContainers after RemoveContainer";
                var left = await runtime.ListContainersAsync(
                    new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = pod.Id } }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
                SandboxCycle.Check(left.Containers.Count == 0, $"{left.Containers.Count} containers still listed after RemoveContainer");
            }

            return new ContainerTimes(create, start);
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

    private static async Task<ContainerStatus> StatusAsync(CriPeer peer, string id, CancellationToken cancellationToken) =>
        (await peer.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken)).Status;

    private static async Task RemoveQuietlyAsync(CriPeer peer, string id)
    {
        try
        {
            await peer.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = 0 }, deadline: DateTime.UtcNow.AddSeconds(20));
            await peer.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id }, deadline: DateTime.UtcNow.AddSeconds(20));
        }
        catch (RpcException)
        {
            // The peer's disposal removes what is left, over the CRI or on the host.
        }
    }
}
