using CriO.Conmon.Client;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.E2E.Tests.Images;
using CriO.Registry.Fixture;
using CriO.TestImages;
using CriO.Tests.Shared;
using Grpc.Core;

namespace CriO.E2E.Tests.Containers;

/// <summary>
/// A busybox container's whole life in a pod, under runc and under crun, monitored by CriO's
/// crio-conmon and by Debian's conmon (one matrix, so the two monitors stay interchangeable):
/// create, start, status, logs, exit code and reason, stop with a grace period, remove.
/// </summary>
public sealed class ContainerLifecycleTests
{
    public static TheoryData<string, string> HandlersAndMonitors => new()
    {
        { "runc", "crio-conmon" }, { "crun", "crio-conmon" }, { "runc", "conmon" }, { "crun", "conmon" },
    };

    public static TheoryData<string> Monitors => new() { "crio-conmon", "conmon" };

    // crio-conmon is the daemon's default (installed beside crio); conmon is Debian's.
    private static string? MonitorPath(string monitor) => monitor == "conmon" ? ContainerHost.UpstreamConmon : null;

    [Theory]
    [MemberData(nameof(HandlersAndMonitors))]
    public async Task A_container_runs_to_its_exit_code_with_its_output_in_the_CRI_log_and_is_removed(string handler, string monitor)
    {
        await using var setup = await ContainerHost.StartAsync(MonitorPath(monitor));
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("life"), handler);
        var id = await setup.CreateAsync(pod, "worker", ["sh", "-c", "echo out; echo err >&2; printf partial; exit 3"]);

        var created = (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id })).Status;
        Assert.Equal(ContainerState.ContainerCreated, created.State);
        Assert.Equal(setup.ImageName, created.Image.Image);
        await setup.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });
        var exited = await setup.WaitExitedAsync(id);

        Assert.Equal(3, exited.ExitCode);
        Assert.Equal("Error", exited.Reason);
        Assert.True(exited.StartedAt >= exited.CreatedAt && exited.FinishedAt >= exited.StartedAt);
        var log = await CriLogParser.ReadFileAsync(exited.LogPath, CancellationToken.None);
        Assert.Contains(log, e => e.Stream == CriLogStream.Stdout && !e.Partial && e.Text == "out");
        Assert.Contains(log, e => e.Stream == CriLogStream.Stderr && !e.Partial && e.Text == "err");
        Assert.Contains(log, e => e.Stream == CriLogStream.Stdout && e.Partial && e.Text == "partial");
        var listed = await setup.Runtime.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = pod } });
        Assert.Equal(ContainerState.ContainerExited, Assert.Single(listed.Containers).State);

        await setup.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id });
        await setup.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id });
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [MemberData(nameof(HandlersAndMonitors))]
    public async Task Stop_gives_the_grace_period_then_kills_and_a_zero_exit_is_Completed(string handler, string monitor)
    {
        await using var setup = await ContainerHost.StartAsync(MonitorPath(monitor));
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("stop"), handler);

        // sh as PID 1 ignores SIGTERM: only the SIGKILL after the grace period ends it.
        var stubborn = await setup.CreateAsync(pod, "stubborn", ["sh", "-c", "while true; do sleep 1; done"]);
        await setup.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = stubborn });
        Assert.Equal(ContainerState.ContainerRunning, (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = stubborn })).Status.State);

        // Its monitor (the container's parent) lives in a crio-conmon-ID cgroup of the pod's.
        var pid = System.Text.Json.JsonDocument.Parse((await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = stubborn, Verbose = true })).Info["info"])
            .RootElement.GetProperty("pid").GetInt32();
        var monitorPid = (await File.ReadAllLinesAsync($"/proc/{pid}/status")).Single(l => l.StartsWith("PPid:", StringComparison.Ordinal))[5..].Trim();
        Assert.Contains($"/crio-conmon-{stubborn}", await File.ReadAllTextAsync($"/proc/{monitorPid}/cgroup"), StringComparison.Ordinal);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await setup.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = stubborn, Timeout = 2 });
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 30);
        var killed = (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = stubborn })).Status;
        Assert.Equal(ContainerState.ContainerExited, killed.State);
        Assert.Equal(137, killed.ExitCode);

        var quick = await setup.CreateAsync(pod, "quick", ["true"]);
        await setup.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = quick });
        Assert.Equal("Completed", (await setup.WaitExitedAsync(quick)).Reason);

        // Removing the pod takes its containers with it.
        await setup.Host.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod });
        await setup.Host.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod });
        Assert.Empty((await setup.Runtime.ListContainersAsync(new ListContainersRequest())).Containers);
        Assert.Empty(Directory.EnumerateDirectories("/sys/fs/cgroup/memory", $"crio-conmon-{stubborn}", SearchOption.AllDirectories));
    }

    [Theory]
    [MemberData(nameof(Monitors))]
    public async Task Stats_are_plausible_after_the_container_burns_CPU_and_writes_its_layer(string monitor)
    {
        await using var setup = await ContainerHost.StartAsync(MonitorPath(monitor));
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("stats"));
        var id = await setup.CreateAsync(pod, "burner", ["sh", "-c", "dd if=/dev/zero of=/dev/null bs=1M count=3000; head -c 20000000 /dev/zero > /tmp/fill; touch /tmp/done; sleep 600"]);
        await setup.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });

        var deadline = DateTime.UtcNow.AddSeconds(60);
        ContainerStats stats;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the container never finished its work");
            await Task.Delay(250);
            stats = (await setup.Runtime.ContainerStatsAsync(new ContainerStatsRequest { ContainerId = id })).Stats;
        }
        while (stats.WritableLayer?.UsedBytes?.Value < 20_000_000);

        Assert.Equal(id, stats.Attributes.Id);
        Assert.True(stats.Cpu.UsageCoreNanoSeconds.Value > 100_000_000, $"CPU {stats.Cpu.UsageCoreNanoSeconds.Value} ns");
        Assert.True(stats.Memory.UsageBytes.Value > 0 && stats.Memory.WorkingSetBytes is not null);
        Assert.True(stats.WritableLayer!.InodesUsed.Value >= 2);
        var second = (await setup.Runtime.ContainerStatsAsync(new ContainerStatsRequest { ContainerId = id })).Stats;
        Assert.NotNull(second.Cpu.UsageNanoCores);

        var podStats = (await setup.Runtime.PodSandboxStatsAsync(new PodSandboxStatsRequest { PodSandboxId = pod })).Stats;
        Assert.Equal(pod, podStats.Attributes.Id);
        Assert.Equal("eth0", podStats.Linux.Network.DefaultInterface.Name);
        Assert.Equal(id, Assert.Single(podStats.Linux.Containers).Attributes.Id);
        var listed = await setup.Runtime.ListContainerStatsAsync(new ListContainerStatsRequest { Filter = new ContainerStatsFilter { PodSandboxId = pod } });
        Assert.Equal(id, Assert.Single(listed.Stats).Attributes.Id);
    }

    [Theory]
    [MemberData(nameof(Monitors))]
    public async Task ReopenContainerLog_starts_a_fresh_file_after_the_kubelet_renamed_the_old_one(string monitor)
    {
        await using var setup = await ContainerHost.StartAsync(MonitorPath(monitor));
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("rotate"));
        var id = await setup.CreateAsync(pod, "talker", ["sh", "-c", "i=0; while true; do echo line$i; i=$((i+1)); sleep 0.1; done"]);
        await setup.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });
        var logPath = (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id })).Status.LogPath;
        await WaitForAsync(() => File.Exists(logPath) && new FileInfo(logPath).Length > 0);

        File.Move(logPath, logPath + ".1");
        await setup.Runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = id });

        Assert.True(File.Exists(logPath));
        await WaitForAsync(() => new FileInfo(logPath).Length > 0);
        var fresh = await CriLogParser.ReadFileAsync(logPath, CancellationToken.None);
        Assert.All(fresh, e => Assert.StartsWith("line", e.Text, StringComparison.Ordinal));

        await setup.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = 0 });
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = id }));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition never held");
            await Task.Delay(50);
        }
    }

    [Theory]
    [MemberData(nameof(HandlersAndMonitors))]
    public async Task ExecSync_gives_output_and_exit_code_and_its_timeout_kills_the_command(string handler, string monitor)
    {
        await using var setup = await ContainerHost.StartAsync(MonitorPath(monitor));
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("exec"), handler);
        var id = await setup.CreateAsync(pod, "target", ["sleep", "600"]);
        await setup.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });

        var result = await setup.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "sh", "-c", "echo out; echo err >&2; exit 7" }, Timeout = 10 });
        Assert.Equal(7, result.ExitCode);
        Assert.Equal("out\n", result.Stdout.ToStringUtf8());
        Assert.Equal("err\n", result.Stderr.ToStringUtf8());

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var timedOut = await Assert.ThrowsAsync<RpcException>(async () =>
            await setup.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "sleep", "311" }, Timeout = 1 }));
        Assert.Equal(StatusCode.DeadlineExceeded, timedOut.StatusCode);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 15);
        var processes = await setup.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "ps" }, Timeout = 10 });
        Assert.DoesNotContain("sleep 311", processes.Stdout.ToStringUtf8(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Monitors))]
    public async Task Running_containers_outlive_a_daemon_restart_and_an_exit_meanwhile_is_read_from_its_file(string monitor)
    {
        await using var setup = await ContainerHost.StartAsync(MonitorPath(monitor));
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("survive"));
        var keeper = await setup.StartAsync(pod, "keeper", ["sh", "-c", "while true; do echo tick; sleep 0.3; done"]);
        var leaver = await setup.StartAsync(pod, "leaver", ["sh", "-c", "sleep 2; exit 4"]);
        var pid = System.Text.Json.JsonDocument.Parse((await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = keeper, Verbose = true })).Info["info"])
            .RootElement.GetProperty("pid").GetInt32();

        await setup.Host.RestartDaemonAsync(() => Task.Delay(TimeSpan.FromSeconds(3)));

        Assert.True(Directory.Exists($"/proc/{pid}"), "the container died with the daemon");
        var status = (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = keeper })).Status;
        Assert.Equal(ContainerState.ContainerRunning, status.State);
        var left = await setup.WaitExitedAsync(leaver);
        Assert.Equal(4, left.ExitCode);
        Assert.Equal("4", (await setup.ExecAsync(keeper, "sh", "-c", "echo 4")).Output.Trim());

        // Its log goes on, and can be reopened (log rotation) by the new daemon.
        var ticks = await TickCountAsync(status.LogPath);
        File.Move(status.LogPath, status.LogPath + ".1");
        await setup.Runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = keeper });
        await Task.Delay(1000);
        Assert.True(await TickCountAsync(status.LogPath) > 0, "the reopened log is written");
        Assert.True(await TickCountAsync(status.LogPath + ".1") >= ticks);

        await setup.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = keeper, Timeout = 0 });
        Assert.Equal(ContainerState.ContainerExited, (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = keeper })).Status.State);

        // The old pod goes away whole.
        await setup.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod });
        await setup.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod });
        Assert.Empty((await setup.Runtime.ListContainersAsync(new ListContainersRequest())).Containers);
        Assert.Empty((await setup.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items);
        Assert.Empty(Leftovers.PodMountsBelow(setup.Host.Folder.Root));
    }

    [Fact]
    public async Task A_container_whose_monitor_died_while_the_daemon_was_down_is_exited_with_an_unknown_code()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("orphan"));
        var id = await setup.StartAsync(pod, "orphan", ["sleep", "600"]);
        var pid = System.Text.Json.JsonDocument.Parse((await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id, Verbose = true })).Info["info"])
            .RootElement.GetProperty("pid").GetInt32();
        var monitor = int.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("PPid:", StringComparison.Ordinal))[5..].Trim(), System.Globalization.CultureInfo.InvariantCulture);

        await setup.Host.RestartDaemonAsync(async () =>
        {
            Signals.Send(monitor, Signals.SIGKILL);
            Signals.Send(pid, Signals.SIGKILL);
            for (var i = 0; i < 100 && (Directory.Exists($"/proc/{monitor}") || Directory.Exists($"/proc/{pid}")); i++)
            {
                await Task.Delay(50);
            }
        });

        var status = (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id })).Status;
        Assert.Equal(ContainerState.ContainerExited, status.State);
        Assert.Equal(255, status.ExitCode);
        Assert.Contains("monitor was gone", status.Message, StringComparison.Ordinal);
        await setup.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id });
    }

    private static async Task<int> TickCountAsync(string logPath) =>
        (await CriLogParser.ReadFileAsync(logPath, CancellationToken.None)).Count(e => e.Text == "tick");

    [Theory]
    [MemberData(nameof(Monitors))]
    public async Task Bad_input_is_refused_and_leaves_nothing(string monitor)
    {
        await using var setup = await ContainerHost.StartAsync(MonitorPath(monitor));
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("bad"));

        var noImage = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.CreateContainerAsync(new CreateContainerRequest
        {
            PodSandboxId = pod,
            Config = new ContainerConfig { Metadata = new ContainerMetadata { Name = "x" }, Image = new ImageSpec { Image = "localhost/no/such:image" } },
        }));
        Assert.Equal(StatusCode.NotFound, noImage.StatusCode);
        var noPod = await Assert.ThrowsAsync<RpcException>(async () => await setup.CreateAsync(new string('f', 64), "x", ["true"]));
        Assert.Equal(StatusCode.NotFound, noPod.StatusCode);
        var noName = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.CreateContainerAsync(new CreateContainerRequest
        {
            PodSandboxId = pod,
            Config = new ContainerConfig { Metadata = new ContainerMetadata(), Image = new ImageSpec { Image = setup.ImageName } },
        }));
        Assert.Equal(StatusCode.InvalidArgument, noName.StatusCode);
        var missingBinary = await Assert.ThrowsAsync<RpcException>(async () => await setup.CreateAsync(pod, "broken", ["/no/such/binary"]));
        Assert.Contains("no/such/binary", missingBinary.Status.Detail, StringComparison.Ordinal);

        Assert.Empty((await setup.Runtime.ListContainersAsync(new ListContainersRequest())).Containers);
        await setup.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = new string('e', 64), Timeout = 1 });
        await setup.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = new string('e', 64) });
    }
}
