using System.Globalization;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;
using Grpc.Core;
using Xunit.Abstractions;

namespace CriO.E2E.Tests.Reliability;

/// <summary>
/// Fault injection: the daemon is killed with SIGKILL at random moments of a workload (pull,
/// run pod, create, start, exec, remove) and started again, round after round. Everything an
/// RPC said was done must still be there and work; at the end, once the test removes what it
/// made, nothing may be left that nothing owns, and podman still reads the store. Bounded:
/// CRIO_FAULT_ROUNDS rounds (default 8), CRIO_FAULT_SEED for another sequence.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_daemon_at_random_moments_loses_nothing_it_reported_and_leaks_nothing()
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("CRIO_FAULT_ROUNDS"), CultureInfo.InvariantCulture, out var r) ? r : 8;
        var random = new Random(int.TryParse(Environment.GetEnvironmentVariable("CRIO_FAULT_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 7);
        await using var setup = await ContainerHost.StartAsync();
        var images = new ImageService.ImageServiceClient(setup.Host.Crio.Channel);

        var pods = new HashSet<string>();          // RunPodSandbox answered, RemovePodSandbox did not (yet)
        var running = new Dictionary<string, string>(); // container -> pod: StartContainer answered
        var created = new Dictionary<string, string>(); // container -> pod: CreateContainer answered
        var everyPod = new HashSet<string>();

        for (var round = 0; round < rounds; round++)
        {
            var runtime = setup.Runtime;
            images = new ImageService.ImageServiceClient(setup.Host.Crio.Channel);
            var work = Task.Run(async () =>
            {
                try
                {
                    if (pods.Count > 1)
                    {
                        // Once Stop is asked, the pod may be anywhere between ready and gone.
                        var old = pods.First();
                        Forget(old, pods, running, created);
                        await runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = old });
                        await runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = old });
                    }

                    await images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = setup.UserImageName } });
                    await images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = setup.UserImageName } });
                    var pod = (await runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = setup.Host.PodConfig($"crash{round}") })).PodSandboxId;
                    lock (pods)
                    {
                        pods.Add(pod);
                        everyPod.Add(pod);
                    }

                    var id = await setup.CreateAsync(pod, "worker", ["sleep", "600"]);
                    lock (pods)
                    {
                        created[id] = pod;
                    }

                    await runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });
                    lock (pods)
                    {
                        running[id] = pod;
                    }

                    await runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "true" }, Timeout = 10 });
                }
                catch (RpcException)
                {
                    // The daemon was killed under the call: it said nothing, so nothing is expected of it.
                }
            });

            var delay = random.Next(0, 300);
            await Task.WhenAny(work, Task.Delay(delay));
            output.WriteLine($"round {round}: kill after {delay} ms ({(work.IsCompleted ? "workload done" : "mid-workload")})");
            await setup.Host.KillAndRestartDaemonAsync();
            await work.WaitAsync(TimeSpan.FromSeconds(60));

            // Everything an RPC reported done is there and works.
            foreach (var pod in pods)
            {
                var status = (await setup.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = pod })).Status;
                Assert.Equal(PodSandboxState.SandboxReady, status.State);
            }

            foreach (var (id, _) in created)
            {
                await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id });
            }

            foreach (var (id, _) in running)
            {
                Assert.Equal(ContainerState.ContainerRunning, (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id })).Status.State);
                Assert.Equal(0, (await setup.ExecAsync(id, "true")).ExitCode);
            }
        }

        // The test removes what it made (and what a killed call made without saying so), as the kubelet would.
        foreach (var container in (await setup.Runtime.ListContainersAsync(new ListContainersRequest())).Containers)
        {
            await setup.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = container.Id });
        }

        foreach (var pod in (await setup.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items)
        {
            everyPod.Add(pod.Id);
            await setup.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.Id });
            await setup.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod.Id });
        }

        var leaks = await LeakCheck.FindAsync(setup.Host, everyPod);
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        var root = setup.Host.Folder.Root;
        var (exitCode, _, errors) = await ChildProcess.RunAsync("podman",
            ["--root", Path.Combine(root, "storage"), "--runroot", Path.Combine(root, "runroot"), "--storage-driver", "overlay", "--events-backend", "none", "images"]);
        Assert.True(exitCode == 0, errors);
    }

    private static void Forget(string pod, HashSet<string> pods, Dictionary<string, string> running, Dictionary<string, string> created)
    {
        lock (pods)
        {
            pods.Remove(pod);
            foreach (var id in created.Where(c => c.Value == pod).Select(c => c.Key).ToList())
            {
                created.Remove(id);
                running.Remove(id);
            }
        }
    }
}
