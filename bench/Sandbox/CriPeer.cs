using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;
using Grpc.Net.Client;

namespace CriO.Bench.Sandbox;

/// <summary>
/// One runtime under test, driven over its CRI socket by the same client code as every other
/// peer. Starting may fail (a binary missing, an RPC not implemented yet): the peer then
/// records why and the benchmark goes on with the others. Disposing removes every trace:
/// containers and pods left by an interrupted cycle, the daemon, its helper processes, processes left in its
/// cgroups, and mounts under its folder; each step is bounded and none throws.
/// </summary>
internal abstract class CriPeer : IAsyncDisposable
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);

    private GrpcChannel? _channel;
    private RuntimeService.RuntimeServiceClient? _runtime;

    protected CriPeer(string name, string folder, string cgroupParent)
    {
        Name = name;
        Folder = Directory.CreateDirectory(folder).FullName;
        CgroupParent = cgroupParent;
    }

    public string Name { get; }

    /// <summary>Everything of this peer on disk: config, roots, socket, pod logs.</summary>
    public string Folder { get; }

    /// <summary>The cgroup (relative to each hierarchy) its pods are put under: /crio-bench-TAG/NAME.</summary>
    public string CgroupParent { get; }

    public abstract string Socket { get; }

    /// <summary>Why this peer is out of the benchmark; null while it takes part.</summary>
    public string? Failure { get; private set; }

    public RuntimeService.RuntimeServiceClient Runtime => _runtime ?? throw new InvalidOperationException($"{Name} is not started");

    protected DaemonProcess? Daemon { get; set; }

    /// <summary>Starts the daemon and checks it serves the CRI; on failure records why and returns false.</summary>
    public async Task<bool> TryStartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartDaemonAsync(cancellationToken);
            await Daemon!.WaitForSocketAsync(Socket, StartTimeout, cancellationToken);
            _channel = UnixSocketChannel.Create(Socket);
            _runtime = new RuntimeService.RuntimeServiceClient(_channel);
            var version = await Runtime.VersionAsync(new VersionRequest { Version = "v1" }, deadline: Deadline(), cancellationToken: cancellationToken);
            await AfterStartAsync(cancellationToken);
            await WaitUntilReadyAsync(cancellationToken);
            Console.WriteLine($"{Name}: {version.RuntimeName} {version.RuntimeVersion} serving {Socket}");
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Fail($"did not start: {Describe(e)}");
            return false;
        }
    }

    public void Fail(string reason)
    {
        if (Daemon?.ExitText is { } exited)
        {
            reason = $"{reason} ({exited})";
        }

        Failure ??= reason;
        Console.Error.WriteLine($"{Name}: {reason}");
        if (Daemon?.Tail() is { Length: > 0 } tail)
        {
            Console.Error.WriteLine($"{Name}: last lines of its log:\n{tail}");
        }
    }

    public static DateTime Deadline() => DateTime.UtcNow + CallTimeout;

    public static string Describe(Exception e) => e switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        _ => e.Message,
    };

    public async ValueTask DisposeAsync()
    {
        if (Daemon is { } daemon)
        {
            await HostTraces.StepAsync($"{Name}: leftover containers", RemoveLeftoverContainersAsync);
            await HostTraces.StepAsync($"{Name}: leftover pods", RemoveLeftoverPodsAsync);
            await HostTraces.StepAsync($"{Name}: stopping the daemon", () => daemon.StopAsync(StopGrace));
            daemon.Dispose();
        }

        _channel?.Dispose();
        await HostTraces.StepAsync($"{Name}: helper processes", () => Task.FromResult(HostTraces.KillProcessesNaming(Folder)));
        await HostTraces.StepAsync($"{Name}: cgroups", () => HostTraces.RemoveCgroupTreeAsync(CgroupParent, TimeSpan.FromSeconds(10)));
        await HostTraces.StepAsync($"{Name}: mounts", () => HostTraces.UnmountUnderAsync(Folder));
        await HostTraces.StepAsync($"{Name}: host files", CleanUpHostAsync);
        GC.SuppressFinalize(this);
    }

    protected abstract Task StartDaemonAsync(CancellationToken cancellationToken);

    /// <summary>Work once the socket serves, before the readiness check (containerd: import the pause image).</summary>
    protected virtual Task AfterStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Traces of this runtime outside its folder (after the daemon and its processes are gone).</summary>
    protected virtual Task CleanUpHostAsync() => Task.CompletedTask;

    /// <summary>Waits (bounded) until Status reports RuntimeReady and NetworkReady, as the kubelet does before it runs pods.</summary>
    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var status = await Runtime.StatusAsync(new StatusRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
            var notReady = status.Status.Conditions.Where(c => !c.Status).ToList();
            if (notReady.Count == 0)
            {
                return;
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"not ready within {StartTimeout.TotalSeconds:F0} s: {string.Join("; ", notReady.Select(c => $"{c.Type} {c.Reason} {c.Message}"))}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>
    /// Stops (no grace) and removes every container the daemon still lists (an interrupted or
    /// failed cycle), bounded; RemovePodSandbox would take them too, but one by one a failure
    /// names the container. Whatever stays is killed in the pod cgroups on the host.
    /// </summary>
    private async Task RemoveLeftoverContainersAsync()
    {
        if (_runtime is null)
        {
            return;
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var containers = await Runtime.ListContainersAsync(new ListContainersRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: bound.Token);
            foreach (var container in containers.Containers)
            {
                Console.Error.WriteLine($"{Name}: removing leftover container {container.Metadata?.Name} ({container.Id})");
                await Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = container.Id, Timeout = 0 }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: bound.Token);
                await Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = container.Id }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: bound.Token);
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException or HttpRequestException)
        {
            // Unimplemented, or the daemon is gone: the pods' removal and the host-level cleanup take over.
            if (e is not RpcException { StatusCode: StatusCode.Unimplemented })
            {
                Console.Error.WriteLine($"{Name}: could not remove leftover containers over the CRI ({Describe(e)}); going on with the pods");
            }
        }
    }

    /// <summary>Stops and removes every pod the daemon still lists (an interrupted cycle), bounded.</summary>
    private async Task RemoveLeftoverPodsAsync()
    {
        if (_runtime is null)
        {
            return;
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var pods = await Runtime.ListPodSandboxAsync(new ListPodSandboxRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: bound.Token);
            foreach (var pod in pods.Items)
            {
                Console.Error.WriteLine($"{Name}: removing leftover pod {pod.Metadata?.Name} ({pod.Id})");
                await Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.Id }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: bound.Token);
                await Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod.Id }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: bound.Token);
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException or HttpRequestException)
        {
            // Unimplemented, or the daemon is gone: the host-level cleanup below takes over.
            if (e is not RpcException { StatusCode: StatusCode.Unimplemented })
            {
                Console.Error.WriteLine($"{Name}: could not remove leftover pods over the CRI ({Describe(e)}); cleaning up on the host");
            }
        }
    }
}
