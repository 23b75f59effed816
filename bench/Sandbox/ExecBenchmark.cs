using System.Diagnostics;
using CriO.Cri;
using CriO.E2E.Tests.Streaming;

namespace CriO.Bench.Sandbox;

/// <summary>The wall time of one ExecSync and of one streaming Exec round trip.</summary>
internal readonly record struct ExecTimes(TimeSpan ExecSync, TimeSpan Exec);

/// <summary>
/// ExecSync and Exec round-trip latency, crio against Debian's containerd in the same run (set up
/// as the other CRI benchmarks, <see cref="CriBench"/>): each peer runs one pod with one
/// `sleep 600` container, untimed; then every iteration, the order alternating, times an
/// ExecSync of `true`, and an Exec round trip: the Exec call for `echo x` with stdout, the
/// WebSocket connect to its URL (v4.channel.k8s.io, which both servers speak), and reading until
/// the server closes.
/// </summary>
internal static class ExecBenchmark
{
    private static readonly LatencyReport.Row<ExecTimes>[] Rows =
    [
        new("ExecSync (true)", t => t.ExecSync),
        new("Exec round trip (echo, WebSocket)", t => t.Exec),
    ];

    public static Task<int> RunAsync(int iterations) =>
        CriBench.RunAsync("exec", "exec in a running container per runtime", async bench =>
        {
            var containers = new Dictionary<CriPeer, (BenchPod Pod, string Id)>();
            await bench.ForEachRunningAsync(async peer =>
            {
                var config = SandboxCycle.PodConfig(peer, 0);
                var pod = new BenchPod(config, await SandboxCycle.StartPodAsync(peer, config, bench.Token));
                var id = (await peer.Runtime.CreateContainerAsync(
                    new CreateContainerRequest { PodSandboxId = pod.Id, Config = ContainerCycle.Config(0), SandboxConfig = pod.Config },
                    deadline: CriPeer.Deadline(), cancellationToken: bench.Token)).ContainerId;
                await peer.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id }, deadline: CriPeer.Deadline(), cancellationToken: bench.Token);
                containers[peer] = (pod, id);
                await OnceAsync(peer, id, bench.Token);   // warm-up, untimed
            });

            var cycles = await bench.InterleaveAsync(iterations, "execs", (peer, _) => OnceAsync(peer, containers[peer].Id, bench.Token));

            await bench.ForEachRunningAsync(async peer =>
            {
                await peer.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = containers[peer].Id, Timeout = 0 }, deadline: CriPeer.Deadline());
                await peer.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = containers[peer].Id }, deadline: CriPeer.Deadline());
                await SandboxCycle.RemovePodAsync(peer, containers[peer].Pod.Config, containers[peer].Pod.Id, bench.Token);
            });

            LatencyReport.Print("Exec: ExecSync and a streaming Exec round trip (busybox, runc, cgroupfs)", bench.Crio, bench.Containerd, cycles, Rows, "execs");
        });

    private static async Task<ExecTimes> OnceAsync(CriPeer peer, string id, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var sync = await peer.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "true" }, Timeout = 30 }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken);
        var execSync = clock.Elapsed;
        SandboxCycle.Check(sync.ExitCode == 0, $"ExecSync true exited {sync.ExitCode}");

        clock.Restart();
        var url = (await peer.Runtime.ExecAsync(new ExecRequest { ContainerId = id, Cmd = { "echo", "x" }, Stdout = true }, deadline: CriPeer.Deadline(), cancellationToken: cancellationToken)).Url;
        await using var client = await ChannelClient.ConnectAsync(url, "v4.channel.k8s.io");
        var messages = await client.ReadToCloseAsync();
        var exec = clock.Elapsed;
        SandboxCycle.Check(ChannelClient.Text(messages, 1) == "x\n", $"Exec echo gave \"{ChannelClient.Text(messages, 1)}\"");
        return new ExecTimes(execSync, exec);
    }
}
