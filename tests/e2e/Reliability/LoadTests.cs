using System.Collections.Concurrent;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;
using Xunit.Abstractions;

namespace CriO.E2E.Tests.Reliability;

/// <summary>
/// Ten clients at once, each making and removing pods with two containers in a loop (a fixed
/// count): no errors, nothing left behind, and the daemon's memory back where it was.
/// </summary>
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Clients = 10;
    private const int Rounds = 4;

    [Fact]
    public async Task Ten_clients_making_and_removing_pods_with_two_containers_leave_nothing_and_no_growth()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pods = new ConcurrentBag<string>();
        var errors = new ConcurrentBag<string>();

        // A first round warms the daemon (JIT-free under AOT, but pools, caches and threads fill).
        await RunAsync(setup, clients: Clients, rounds: 1, "warm", pods, errors);
        var warm = ResidentKilobytes(setup.Host.Crio.Pid);
        await RunAsync(setup, clients: Clients, rounds: Rounds, "load", pods, errors);
        var after = ResidentKilobytes(setup.Host.Crio.Pid);
        output.WriteLine($"crio RSS after the warm-up round: {warm} kB; after {Clients * Rounds} more pods: {after} kB");

        Assert.Empty(errors);
        Assert.Empty((await setup.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items);
        Assert.Empty((await setup.Runtime.ListContainersAsync(new ListContainersRequest())).Containers);
        Assert.Equal(Clients * (Rounds + 1), pods.Count);
        var leaks = await LeakCheck.FindAsync(setup.Host, pods);
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        Assert.True(after < warm + (32 * 1024), $"crio's RSS grew from {warm} kB to {after} kB over {Clients * Rounds} pods");
    }

    private static Task RunAsync(ContainerHost setup, int clients, int rounds, string prefix, ConcurrentBag<string> pods, ConcurrentBag<string> errors) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var name = $"{prefix}{client}x{round}";
                try
                {
                    var config = setup.Host.PodConfig(name);
                    var pod = (await setup.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config })).PodSandboxId;
                    pods.Add(pod);
                    var first = await setup.StartAsync(pod, "first", ["sleep", "600"]);
                    var second = await setup.StartAsync(pod, "second", ["sh", "-c", "echo hello; sleep 600"]);
                    foreach (var id in new[] { first, second })
                    {
                        var state = (await setup.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id })).Status.State;
                        if (state != ContainerState.ContainerRunning)
                        {
                            errors.Add($"{name}: container {id} is {state}");
                        }
                    }

                    await setup.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod });
                    await setup.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod });
                }
                catch (RpcException e)
                {
                    errors.Add($"{name}: {e.StatusCode}: {e.Status.Detail}");
                }
            }
        })));

    private static long ResidentKilobytes(int pid) =>
        long.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
