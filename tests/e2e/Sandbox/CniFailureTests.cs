using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;

namespace CriO.E2E.Tests.Sandbox;

/// <summary>
/// CNI plugins that fail or hang (fake plugin binaries written by the test, chained after the
/// real bridge plugin so there is real work to undo): RunPodSandbox fails with the plugin's
/// words and leaves no pod, namespace, mount, IP, cgroup or storage behind.
/// </summary>
public sealed class CniFailureTests
{
    [Fact]
    public async Task A_failing_plugin_fails_RunPodSandbox_with_its_message_and_everything_is_undone()
    {
        await using var host = await PodTestHost.StartAsync(h => WriteChain(h, "failing", """
            #!/bin/sh
            cat >/dev/null
            if [ "$CNI_COMMAND" = "ADD" ]; then
              echo '{"cniVersion":"1.0.0","code":7,"msg":"fake plugin refuses the pod","details":"it was told to"}'
              exit 1
            fi
            echo '{"cniVersion":"1.0.0"}'
            """));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.RunAsync(host.PodConfig("refused")));

        Assert.Contains("fake plugin refuses the pod", error.Status.Detail, StringComparison.Ordinal);
        await AssertNothingLeftAsync(host);
    }

    [Fact]
    public async Task A_plugin_that_hangs_is_killed_at_the_timeout_and_everything_is_undone()
    {
        await using var host = await PodTestHost.StartAsync(h =>
        {
            h.Folder.CniPluginTimeout = "2s";
            WriteChain(h, "hanging", """
                #!/bin/sh
                cat >/dev/null
                if [ "$CNI_COMMAND" = "ADD" ]; then exec sleep 600; fi
                echo '{"cniVersion":"1.0.0"}'
                """);
        });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await host.RunAsync(host.PodConfig("stuck")));

        Assert.Contains("hanging", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("2", error.Status.Detail, StringComparison.Ordinal);
        await AssertNothingLeftAsync(host);
    }

    [Fact]
    public async Task A_pod_finished_after_the_kubelet_gave_up_is_handed_to_its_retry()
    {
        await using var host = await PodTestHost.StartAsync(h => WriteChain(h, "slow", """
            #!/bin/sh
            if [ "$CNI_COMMAND" = "ADD" ]; then sleep 2; fi
            # Pass the previous result on, as a chained plugin must.
            exec python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin).get("prevResult", {"cniVersion": "1.0.0"})))'
            """));
        var config = host.PodConfig("patient");

        var cut = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, deadline: DateTime.UtcNow.AddMilliseconds(500)));
        Assert.Equal(StatusCode.DeadlineExceeded, cut.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the cut-off RunPodSandbox never finished");
            await Task.Delay(100);
        }

        var made = (await host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items.Single();
        Assert.Equal(made.Id, await host.RunAsync(config));
        Assert.Equal(PodSandboxState.SandboxReady, (await host.StatusAsync(made.Id)).Status.State);
    }

    [Fact]
    public async Task NetworkReady_turns_true_when_a_conflist_appears_while_the_daemon_runs()
    {
        await using var host = await PodTestHost.StartAsync(writeNetwork: false);
        Assert.False(await NetworkReadyAsync(host));

        host.Network.WriteTo(host.Folder.NetworkDirectory);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await NetworkReadyAsync(host))
        {
            Assert.True(DateTime.UtcNow < deadline, "NetworkReady stayed false after a valid conflist appeared");
            await Task.Delay(100);
        }

        var id = await host.RunAsync(host.PodConfig("late"));
        Assert.StartsWith(host.Network.Subnet + ".", (await host.StatusAsync(id)).Status.Network.Ip, StringComparison.Ordinal);
    }

    private static async Task<bool> NetworkReadyAsync(PodTestHost host) =>
        (await host.Runtime.StatusAsync(new StatusRequest())).Status.Conditions.Single(c => c.Type == "NetworkReady").Status;

    // The test's network with a fake plugin after bridge: bridge's ADD has allocated an IP and
    // made a veth by the time the fake one fails.
    private static void WriteChain(PodTestHost host, string plugin, string script)
    {
        CrioFolder.WriteExecutable(Path.Combine(host.Folder.PluginDirectory, plugin), script.Replace("\r", "", StringComparison.Ordinal));
        var conflist = host.Network.Conflist.Replace(
            """{ "type": "portmap", "capabilities": { "portMappings": true }, "snat": true }""",
            $$"""{ "type": "portmap", "capabilities": { "portMappings": true }, "snat": true }, { "type": "{{plugin}}" }""",
            StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(host.Folder.NetworkDirectory, "10-bridge.conflist"), conflist);
    }

    private static async Task AssertNothingLeftAsync(PodTestHost host)
    {
        Assert.Empty((await host.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items);
        Assert.Empty(Leftovers.PodMountsBelow(host.Folder.Root));
        Assert.Empty(host.Network.AllocatedIps());
        Assert.Empty(await host.Network.NatRulesAsync());
        Assert.Empty(host.CgroupFolders());
        var nsFolder = host.Folder.NamespacesDirectory;
        Assert.Empty(Directory.Exists(nsFolder) ? Directory.GetFiles(nsFolder, "*", SearchOption.AllDirectories) : []);
        var containers = Path.Combine(host.Folder.Root, "storage", "overlay-containers", "containers.json");
        Assert.True(!File.Exists(containers) || !(await File.ReadAllTextAsync(containers)).Contains("\"id\"", StringComparison.Ordinal));
    }
}
