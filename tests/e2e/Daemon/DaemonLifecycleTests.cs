using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;

namespace CriO.E2E.Tests.Daemon;

/// <summary>The real crio binary on a temporary socket: its answers, and how it starts and stops.</summary>
public class DaemonLifecycleTests
{
    [Fact]
    public async Task Answers_Version_Status_RuntimeConfig_and_unimplemented_calls_then_stops_cleanly_on_SIGTERM()
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);
        var runtime = new RuntimeService.RuntimeServiceClient(crio.Channel);
        var images = new ImageService.ImageServiceClient(crio.Channel);

        var version = await runtime.VersionAsync(new VersionRequest { Version = "0.1.0" });
        Assert.Equal("0.1.0", version.Version);
        Assert.Equal("crio", version.RuntimeName);
        Assert.Equal("v1", version.RuntimeApiVersion);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.RuntimeVersion);

        var status = await runtime.StatusAsync(new StatusRequest());
        var runtimeReady = Assert.Single(status.Status.Conditions, c => c.Type == "RuntimeReady");
        Assert.True(runtimeReady.Status);
        var networkReady = Assert.Single(status.Status.Conditions, c => c.Type == "NetworkReady");
        Assert.False(networkReady.Status);
        Assert.Equal("NetworkPluginNotReady", networkReady.Reason);
        Assert.Contains(folder.NetworkDirectory, networkReady.Message, StringComparison.Ordinal);
        Assert.Contains(status.RuntimeHandlers, h => h.Name == "runc");
        Assert.Contains(status.RuntimeHandlers, h => h.Name == "crun");
        Assert.Empty(status.Info);

        var runtimeConfig = await runtime.RuntimeConfigAsync(new RuntimeConfigRequest());
        Assert.Equal(CgroupDriver.Cgroupfs, runtimeConfig.Linux.CgroupDriver);

        var unimplemented = await Assert.ThrowsAsync<RpcException>(async () => await runtime.ListMetricDescriptorsAsync(new ListMetricDescriptorsRequest()));
        Assert.Equal(StatusCode.Unimplemented, unimplemented.StatusCode);
        Assert.Contains("ListMetricDescriptors", unimplemented.Status.Detail, StringComparison.Ordinal);
        // A server-streaming RPC goes through the interceptor's streaming path.
        using var stream = images.StreamImages(new StreamImagesRequest());
        var imageUnimplemented = await Assert.ThrowsAsync<RpcException>(async () => await stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unimplemented, imageUnimplemented.StatusCode);
        Assert.Contains("StreamImages", imageUnimplemented.Status.Detail, StringComparison.Ordinal);

        Assert.Equal(0, await crio.StopAsync());
        Assert.False(Path.Exists(folder.Socket), "the socket is removed on shutdown");
        Assert.Contains("shutting down", crio.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SIGINT_stops_cleanly_too()
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);

        crio.Signal(Signals.SIGINT);

        Assert.Equal(0, await crio.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(Path.Exists(folder.Socket), "the socket is removed on shutdown");
    }

    [Fact]
    public async Task Verbose_status_carries_the_effective_configuration()
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);
        var runtime = new RuntimeService.RuntimeServiceClient(crio.Channel);

        var status = await runtime.StatusAsync(new StatusRequest { Verbose = true });

        using var config = System.Text.Json.JsonDocument.Parse(status.Info["config"]);
        Assert.Equal(folder.Socket, config.RootElement.GetProperty("crio.api").GetProperty("listen").GetString());
        Assert.Equal("cgroupfs", config.RootElement.GetProperty("crio.runtime").GetProperty("cgroup_manager").GetString());
    }

    [Fact]
    public async Task Conditions_say_honestly_what_is_missing_and_network_turns_ready_without_a_restart()
    {
        using var folder = new CrioFolder();
        File.Delete(folder.RuntimeBinary);
        await using var crio = await CrioProcess.StartAsync(folder);
        var runtime = new RuntimeService.RuntimeServiceClient(crio.Channel);

        var before = await runtime.StatusAsync(new StatusRequest());
        var runtimeReady = Assert.Single(before.Status.Conditions, c => c.Type == "RuntimeReady");
        Assert.False(runtimeReady.Status);
        Assert.Contains(folder.RuntimeBinary, runtimeReady.Message, StringComparison.Ordinal);

        // A conflist naming a plugin that is not installed: still not ready, and it says which.
        // The daemon follows network_dir (and re-checks the plugin folders) on its own: poll.
        File.WriteAllText(Path.Combine(folder.NetworkDirectory, "10-test.conflist"),
            """{"cniVersion":"1.0.0","name":"testnet","plugins":[{"type":"testplugin"}]}""");
        var missingPlugin = await NetworkConditionAsync(runtime, c => c.Message.Contains("testplugin", StringComparison.Ordinal));
        Assert.False(missingPlugin.Status);

        CrioFolder.WriteExecutable(Path.Combine(folder.PluginDirectory, "testplugin"), "#!/bin/sh\nexit 0\n");
        var ready = await NetworkConditionAsync(runtime, c => c.Status);
        Assert.Equal("", ready.Reason);
    }

    [Fact]
    public async Task UpdateRuntimeConfig_accepts_a_pod_CIDR_and_refuses_a_malformed_one()
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);
        var runtime = new RuntimeService.RuntimeServiceClient(crio.Channel);

        await runtime.UpdateRuntimeConfigAsync(new UpdateRuntimeConfigRequest
        {
            RuntimeConfig = new CriO.Cri.RuntimeConfig { NetworkConfig = new NetworkConfig { PodCidr = "10.88.0.0/16,fd00::/64" } },
        });
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await runtime.UpdateRuntimeConfigAsync(new UpdateRuntimeConfigRequest
        {
            RuntimeConfig = new CriO.Cri.RuntimeConfig { NetworkConfig = new NetworkConfig { PodCidr = "10.88.0.0/33" } },
        }));

        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("pod_cidr", bad.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_socket_is_replaced_and_the_new_one_has_mode_0660()
    {
        using var folder = new CrioFolder();
        await using (var killed = await CrioProcess.StartAsync(folder))
        {
            // What a crash or the OOM killer leaves: the socket file, with nobody serving it.
            killed.Signal(Signals.SIGKILL);
            await killed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(Path.Exists(folder.Socket));
        Assert.False(await UnixSocketChannel.AcceptsConnectionsAsync(folder.Socket, CancellationToken.None));

        await using var crio = await CrioProcess.StartAsync(folder);

        var version = await new RuntimeService.RuntimeServiceClient(crio.Channel).VersionAsync(new VersionRequest());
        Assert.Equal("crio", version.RuntimeName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(folder.Socket));
    }

    [Fact]
    public async Task A_socket_another_daemon_serves_is_not_taken_over()
    {
        using var folder = new CrioFolder();
        await using var first = await CrioProcess.StartAsync(folder);
        await using var second = CrioProcess.Launch(folder);

        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("served by another running process", second.Log, StringComparison.Ordinal);
        var version = await new RuntimeService.RuntimeServiceClient(first.Channel).VersionAsync(new VersionRequest());
        Assert.Equal("crio", version.RuntimeName);
    }

    [Fact]
    public async Task SIGHUP_reloads_log_level()
    {
        using var folder = new CrioFolder();
        await using var crio = await CrioProcess.StartAsync(folder);
        var runtime = new RuntimeService.RuntimeServiceClient(crio.Channel);
        await runtime.VersionAsync(new VersionRequest());
        Assert.DoesNotContain("Version: request", crio.Log, StringComparison.Ordinal);

        folder.WriteConfig("debug");
        crio.Signal(Signals.SIGHUP);
        await crio.WaitForLogAsync("configuration reloaded; log level debug");
        await runtime.VersionAsync(new VersionRequest());

        await crio.WaitForLogAsync("Version: request");
        Assert.False(crio.HasExited);
    }

    [Fact]
    public async Task Tells_systemd_through_NOTIFY_SOCKET_when_ready_reloading_and_stopping()
    {
        using var folder = new CrioFolder();
        var notifyPath = Path.Combine(folder.Root, "notify.sock");
        using var notify = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        notify.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(notifyPath));
        folder.Environment[CriO.Server.Daemon.SystemdNotify.SocketVariable] = notifyPath;
        await using var crio = await CrioProcess.StartAsync(folder);

        Assert.StartsWith("READY=1", await ReceiveAsync(notify), StringComparison.Ordinal);
        crio.Signal(Signals.SIGHUP);
        Assert.StartsWith("RELOADING=1\nMONOTONIC_USEC=", await ReceiveAsync(notify), StringComparison.Ordinal);
        Assert.Equal("READY=1", await ReceiveAsync(notify));
        Assert.Equal(0, await crio.StopAsync());
        Assert.Equal("STOPPING=1", await ReceiveAsync(notify));
    }

    private static async Task<string> ReceiveAsync(System.Net.Sockets.Socket socket)
    {
        var buffer = new byte[512];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var length = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    [Fact]
    public async Task Log_filter_keeps_only_matching_messages()
    {
        using var folder = new CrioFolder();
        File.WriteAllText(Path.Combine(folder.DropInDirectory, "20-filter.conf"), "[crio.runtime]\nlog_filter = \"serving|stopped\"\n");
        await using var crio = await CrioProcess.StartAsync(folder);

        Assert.Equal(0, await crio.StopAsync());

        Assert.Contains("serving the CRI", crio.Log, StringComparison.Ordinal);
        Assert.Contains("stopped; removed", crio.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("shutting down", crio.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_config_value_stops_start_up_naming_file_and_key()
    {
        using var folder = new CrioFolder();
        var dropIn = Path.Combine(folder.DropInDirectory, "50-bad.conf");
        File.WriteAllText(dropIn, "[crio.runtime]\nlog_size_max = \"lots\"\n");
        await using var crio = CrioProcess.Launch(folder);

        Assert.Equal(1, await crio.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"{dropIn}: crio.runtime.log_size_max: expected an integer", crio.Log, StringComparison.Ordinal);
        Assert.False(Path.Exists(folder.Socket));
    }

    [Fact]
    public async Task An_unknown_key_is_logged_as_a_warning_and_start_up_goes_on()
    {
        using var folder = new CrioFolder();
        File.WriteAllText(Path.Combine(folder.DropInDirectory, "60-future.conf"), "[crio.runtime]\nshiny_new_option = true\n");

        await using var crio = await CrioProcess.StartAsync(folder);

        Assert.Contains("crio.runtime.shiny_new_option: unknown key, ignored", crio.Log, StringComparison.Ordinal);
    }

    // Bounded: the watcher reacts within a second; the plugin folders are re-checked every 5 s while not ready.
    private static async Task<RuntimeCondition> NetworkConditionAsync(RuntimeService.RuntimeServiceClient runtime, Func<RuntimeCondition, bool> wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var condition = Assert.Single((await runtime.StatusAsync(new StatusRequest())).Status.Conditions, c => c.Type == "NetworkReady");
            if (wanted(condition) || DateTime.UtcNow > deadline)
            {
                Assert.True(wanted(condition), $"NetworkReady stayed {condition.Status}: {condition.Message}");
                return condition;
            }

            await Task.Delay(100);
        }
    }
}
