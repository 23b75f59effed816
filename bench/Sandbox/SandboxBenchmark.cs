using System.Runtime.InteropServices;

namespace CriO.Bench.Sandbox;

/// <summary>
/// RunPodSandbox + StopPodSandbox + RemovePodSandbox, each call timed, crio against Debian's
/// containerd (CRI plugin, runc shim) in the same run: one shared bridge CNI network, one
/// pause image built from busybox-static, both daemons' roots on one tmpfs. Each peer gets one
/// untimed, checked warm-up pod; then every iteration runs one pod on each, the order
/// alternating, so drift in the machine hits both alike. A peer that fails drops out with its
/// reason printed; Ctrl-C or SIGTERM stops the run and everything is cleaned up (bounded).
/// </summary>
internal static class SandboxBenchmark
{
    public static async Task<int> RunAsync(int iterations)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine("sandbox: run as root (it mounts a tmpfs, starts runtimes, makes a bridge and cgroups)");
            return 2;
        }

        // A signal lets the pod in flight finish its cycle (so the runtime removes it itself), then
        // stops; calls still running 10 s later are cancelled.
        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!stop.IsCancellationRequested)
            {
                Console.Error.WriteLine($"{context.Signal}: stopping after the pod in flight; then cleaning up (bounded)");
                stop.Cancel();
                abort.CancelAfter(TimeSpan.FromSeconds(10));
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var token = abort.Token;

        using var tmpfs = new Tmpfs("2g");
        var cgroupRoot = "/" + Path.GetFileName(tmpfs.Root);
        BenchNetwork? network = null;
        var peers = new List<CriPeer>();
        var exitCode = 0;
        try
        {
            network = await BenchNetwork.CreateAsync(tmpfs.Root);
            var pauseArchive = PauseImage.WriteArchive(tmpfs.Root);
            var crio = new CrioPeer(Path.Join(tmpfs.Root, "crio"), $"{cgroupRoot}/crio", pauseArchive, network.ConfigDirectory);
            peers.Add(crio);
            var containerd = new ContainerdPeer(Path.Join(tmpfs.Root, "containerd"), $"{cgroupRoot}/containerd", pauseArchive, network.ConfigDirectory);
            peers.Add(containerd);
            Console.WriteLine($"pods: bridge {BenchNetwork.Bridge} ({BenchNetwork.Subnet}, plugins from {BenchNetwork.PluginDirectory}), pause image {PauseImage.Name} (busybox), cgroupfs under {cgroupRoot}, roots on tmpfs {tmpfs.Root}");

            foreach (var peer in peers)
            {
                stop.Token.ThrowIfCancellationRequested();
                await peer.TryStartAsync(token);
            }

            // Untimed and checked: the first pod pays for cold caches (page cache of the shim and
            // runc, the pause image's snapshot) that a node's pods do not pay again.
            foreach (var peer in peers.Where(p => p.Failure is null))
            {
                stop.Token.ThrowIfCancellationRequested();
                await CycleAsync(peer, SandboxCycle.PodConfig(peer, 0), verify: true, token);
            }

            if (peers.Any(p => p.Failure is null))
            {
                Console.WriteLine($"{iterations} cycles on each runtime, interleaved (the order alternates every iteration)");
                Console.WriteLine();
            }

            var cycles = peers.ToDictionary(p => p, _ => new List<CycleTimes>());
            for (var iteration = 1; iteration <= iterations && peers.Any(p => p.Failure is null); iteration++)
            {
                var order = iteration % 2 == 1 ? peers : Enumerable.Reverse(peers);
                foreach (var peer in order.Where(p => p.Failure is null).ToList())
                {
                    stop.Token.ThrowIfCancellationRequested();
                    if (await CycleAsync(peer, SandboxCycle.PodConfig(peer, iteration), verify: false, token) is { } times)
                    {
                        cycles[peer].Add(times);
                    }
                }

                if (iteration % 10 == 0)
                {
                    Console.Error.WriteLine($"  {iteration}/{iterations}");
                }
            }

            LatencyReport.Print("Pod sandbox: RunPodSandbox, StopPodSandbox, RemovePodSandbox (bridge CNI, runc, cgroupfs)", crio, containerd, cycles);
            exitCode = peers.Any(p => p.Failure is not null) ? 1 : 0;
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled })
        {
            Console.Error.WriteLine("interrupted: no report");
            exitCode = 130;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // Set-up common to both runtimes failed (a CNI plugin or busybox missing, not root).
            Console.Error.WriteLine($"sandbox benchmark failed: {e.Message}");
            exitCode = 1;
        }
        finally
        {
            await CleanUpAsync(peers, cgroupRoot, network);
        }

        return exitCode;
    }

    /// <summary>One pod's cycle on <paramref name="peer"/>; a failure takes the peer out of the run (returns null).</summary>
    private static async Task<CycleTimes?> CycleAsync(CriPeer peer, Cri.PodSandboxConfig config, bool verify, CancellationToken cancellationToken)
    {
        try
        {
            return await SandboxCycle.RunAsync(peer, config, verify, cancellationToken);
        }
        catch (CycleFailedException e)
        {
            peer.Fail(e.Message);
            return null;
        }
    }

    private static async Task CleanUpAsync(List<CriPeer> peers, string cgroupRoot, BenchNetwork? network)
    {
        Console.Error.WriteLine("cleaning up");
        foreach (var peer in Enumerable.Reverse(peers))
        {
            await HostTraces.StepAsync($"{peer.Name} cleanup", async () => await peer.DisposeAsync());
        }

        await HostTraces.StepAsync("cgroups", () => HostTraces.RemoveCgroupTreeAsync(cgroupRoot, TimeSpan.FromSeconds(10)));
        if (network is not null)
        {
            await HostTraces.StepAsync("network cleanup", network.CleanUpAsync);
        }
    }
}
