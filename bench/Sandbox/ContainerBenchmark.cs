namespace CriO.Bench.Sandbox;

/// <summary>
/// CreateContainer + StartContainer, each call timed, crio (conmon + runc) against Debian's
/// containerd (runc v2 shim) in the same run, set up as the sandbox benchmark is
/// (<see cref="CriBench"/>: shared network, busybox image imported into both, roots on one
/// tmpfs). Each peer runs one pod for the whole run (untimed, checked ready) and one untimed,
/// checked warm-up container; then every iteration runs one container on each peer, the order
/// alternating: Create and Start timed, Stop (timeout 0) and Remove not. The pods are stopped
/// and removed at the end, untimed; a signal or a failure leaves that to the cleanup.
/// </summary>
internal static class ContainerBenchmark
{
    private static readonly LatencyReport.Row<ContainerTimes>[] Rows =
    [
        new("CreateContainer", t => t.Create),
        new("StartContainer", t => t.Start),
        new("sum (create + start)", t => t.Total),
    ];

    public static Task<int> RunAsync(int iterations) =>
        CriBench.RunAsync("container", "containers in one pod per runtime", async bench =>
        {
            var pods = new Dictionary<CriPeer, BenchPod>();
            await bench.ForEachRunningAsync(async peer =>
            {
                var config = SandboxCycle.PodConfig(peer, 0);
                pods[peer] = new BenchPod(config, await SandboxCycle.StartPodAsync(peer, config, bench.Token));
            });

            // Untimed and checked: the first container pays for cold caches (runc, conmon or the
            // shim, the image's layers) that a node's containers do not pay again.
            await bench.ForEachRunningAsync(peer => ContainerCycle.RunAsync(peer, pods[peer], 0, verify: true, bench.Token));

            var cycles = await bench.InterleaveAsync(iterations, "containers", (peer, iteration) =>
                ContainerCycle.RunAsync(peer, pods[peer], iteration, verify: false, bench.Token));

            await bench.ForEachRunningAsync(peer => SandboxCycle.RemovePodAsync(peer, pods[peer].Config, pods[peer].Id, bench.Token));

            LatencyReport.Print("Containers: CreateContainer, StartContainer (sleep 600 in a busybox image, runc, cgroupfs)", bench.Crio, bench.Containerd, cycles, Rows, "containers");
        });
}
