using System.Runtime.InteropServices;

namespace CriO.Bench.Sandbox;

/// <summary>
/// What every CRI benchmark (sandbox, container) shares: root check, Ctrl-C/SIGTERM handling,
/// one tmpfs for both daemons' roots, the shared bridge network, the busybox pause image (also
/// the containers' image), crio and containerd started side by side, warm-up and interleaved
/// iterations in which a failing peer drops out, and the bounded cleanup on success, failure
/// or a signal. A benchmark supplies its body (warm-up, iterations, report).
/// </summary>
internal sealed class CriBench
{
    private readonly CancellationTokenSource _stop;

    private CriBench(CancellationTokenSource stop, CancellationToken token, CrioPeer crio, ContainerdPeer containerd)
    {
        _stop = stop;
        Token = token;
        Crio = crio;
        Containerd = containerd;
        Peers = [crio, containerd];
    }

    public CrioPeer Crio { get; }

    public ContainerdPeer Containerd { get; }

    /// <summary>Both peers, ours first.</summary>
    public IReadOnlyList<CriPeer> Peers { get; }

    /// <summary>Cancelled 10 s after a signal: for the calls in flight.</summary>
    public CancellationToken Token { get; }

    public IEnumerable<CriPeer> Running => Peers.Where(p => p.Failure is null);

    /// <summary>
    /// Sets up, starts both daemons, runs <paramref name="body"/> and cleans up whatever happens.
    /// Exit code: 0, 1 when a peer failed (or the set-up did), 2 when not root, 130 when interrupted.
    /// </summary>
    public static async Task<int> RunAsync(string benchmark, string description, Func<CriBench, Task> body)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine($"{benchmark}: run as root (it mounts a tmpfs, starts runtimes, makes a bridge and cgroups)");
            return 2;
        }

        // A signal lets the cycle in flight finish (so the runtime removes what it made itself),
        // then stops; calls still running 10 s later are cancelled.
        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!stop.IsCancellationRequested)
            {
                Console.Error.WriteLine($"{context.Signal}: stopping after the cycle in flight; then cleaning up (bounded)");
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
            Console.WriteLine($"{description}: bridge {BenchNetwork.Bridge} ({BenchNetwork.Subnet}, plugins from {BenchNetwork.PluginDirectory}), image {PauseImage.Name} (busybox), cgroupfs under {cgroupRoot}, roots on tmpfs {tmpfs.Root}");

            var bench = new CriBench(stop, token, crio, containerd);
            foreach (var peer in peers)
            {
                bench.ThrowIfStopping();
                await peer.TryStartAsync(token);
            }

            await body(bench);
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
            Console.Error.WriteLine($"{benchmark} benchmark failed: {e.Message}");
            exitCode = 1;
        }
        finally
        {
            await CleanUpAsync(peers, cgroupRoot, network);
        }

        return exitCode;
    }

    /// <summary>Throws OperationCanceledException once a signal came: no new cycle starts.</summary>
    public void ThrowIfStopping() => _stop.Token.ThrowIfCancellationRequested();

    /// <summary>
    /// Runs <paramref name="work"/> once on each peer still in the run, in order (warm-up, set-up);
    /// a <see cref="CycleFailedException"/> takes that peer out of the run.
    /// </summary>
    public async Task ForEachRunningAsync(Func<CriPeer, Task> work)
    {
        foreach (var peer in Running.ToList())
        {
            ThrowIfStopping();
            await TryAsync(peer, async () =>
            {
                await work(peer);
                return 0;
            });
        }
    }

    /// <summary>
    /// <paramref name="iterations"/> iterations, each one cycle on every peer still in the run, the
    /// order alternating every iteration so drift in the machine hits both alike; a failed cycle
    /// takes its peer out. Returns each peer's samples.
    /// </summary>
    public async Task<Dictionary<CriPeer, List<T>>> InterleaveAsync<T>(int iterations, string unit, Func<CriPeer, int, Task<T>> cycle)
    {
        if (Running.Any())
        {
            Console.WriteLine($"{iterations} {unit} on each runtime, interleaved (the order alternates every iteration)");
            Console.WriteLine();
        }

        var samples = Peers.ToDictionary(p => p, _ => new List<T>());
        for (var iteration = 1; iteration <= iterations && Running.Any(); iteration++)
        {
            var order = iteration % 2 == 1 ? Peers : Enumerable.Reverse(Peers);
            foreach (var peer in order.Where(p => p.Failure is null).ToList())
            {
                ThrowIfStopping();
                var index = iteration;
                if (await TryAsync(peer, () => cycle(peer, index)) is (true, var sample))
                {
                    samples[peer].Add(sample);
                }
            }

            if (iteration % 10 == 0)
            {
                Console.Error.WriteLine($"  {iteration}/{iterations}");
            }
        }

        return samples;
    }

    private static async Task<(bool Ok, T Value)> TryAsync<T>(CriPeer peer, Func<Task<T>> work)
    {
        try
        {
            return (true, await work());
        }
        catch (CycleFailedException e)
        {
            peer.Fail(e.Message);
            return (false, default!);
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
