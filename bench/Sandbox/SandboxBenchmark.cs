namespace CriO.Bench.Sandbox;

/// <summary>
/// RunPodSandbox + StopPodSandbox + RemovePodSandbox, each call timed, crio against Debian's
/// containerd (CRI plugin, runc shim) in the same run: one shared bridge CNI network, one
/// pause image built from busybox-static, both daemons' roots on one tmpfs (all set up by
/// <see cref="CriBench"/>). Each peer gets one untimed, checked warm-up pod; then every
/// iteration runs one pod on each, the order alternating, so drift in the machine hits both
/// alike. A peer that fails drops out with its reason printed; Ctrl-C or SIGTERM stops the run
/// and everything is cleaned up (bounded).
/// </summary>
internal static class SandboxBenchmark
{
    private static readonly LatencyReport.Row<CycleTimes>[] Rows =
    [
        new("RunPodSandbox", t => t.Run),
        new("StopPodSandbox", t => t.Stop),
        new("RemovePodSandbox", t => t.Remove),
        new("sum (one pod's life)", t => t.Total),
    ];

    public static Task<int> RunAsync(int iterations) =>
        CriBench.RunAsync("sandbox", "pods", async bench =>
        {
            // Untimed and checked: the first pod pays for cold caches (page cache of the shim and
            // runc, the pause image's snapshot) that a node's pods do not pay again.
            await bench.ForEachRunningAsync(peer => SandboxCycle.RunAsync(peer, SandboxCycle.PodConfig(peer, 0), verify: true, bench.Token));

            var cycles = await bench.InterleaveAsync(iterations, "cycles", (peer, iteration) =>
                SandboxCycle.RunAsync(peer, SandboxCycle.PodConfig(peer, iteration), verify: false, bench.Token));

            LatencyReport.Print("Pod sandbox: RunPodSandbox, StopPodSandbox, RemovePodSandbox (bridge CNI, runc, cgroupfs)", bench.Crio, bench.Containerd, cycles, Rows, "cycles");
        });
}
