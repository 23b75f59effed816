using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;

namespace CriO.E2E.Tests.Reliability;

/// <summary>GetContainerEvents (the kubelet's evented PLEG) against a real pod's lifecycle.</summary>
public sealed class ContainerEventsTests
{
    [Fact]
    public async Task Every_subscriber_gets_a_pods_lifecycle_in_order_including_an_exit_on_its_own()
    {
        await using var setup = await ContainerHost.StartAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var first = setup.Runtime.GetContainerEvents(new GetEventsRequest(), cancellationToken: stop.Token);
        using var second = setup.Runtime.GetContainerEvents(new GetEventsRequest(), cancellationToken: stop.Token);
        var firstEvents = new List<ContainerEventResponse>();
        var secondEvents = new List<ContainerEventResponse>();
        var collecting = Task.WhenAll(CollectAsync(first.ResponseStream, firstEvents, stop.Token), CollectAsync(second.ResponseStream, secondEvents, stop.Token));
        await Task.Delay(300);   // the subscriptions are made when the calls arrive

        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("events"));
        var id = await setup.StartAsync(pod, "oneshot", ["sh", "-c", "sleep 1; exit 7"]);
        // No status call: the exit must be noticed on its own.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Snapshot(firstEvents).Any(e => e.ContainerId == id && e.ContainerEventType == ContainerEventType.ContainerStoppedEvent))
        {
            Assert.True(DateTime.UtcNow < deadline, "the container's exit was sent as an event");
            await Task.Delay(100);
        }

        await setup.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id });
        await setup.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod });
        await setup.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod });
        await Task.Delay(300);
        await stop.CancelAsync();
        await collecting;

        var expected = new[]
        {
            (pod, ContainerEventType.ContainerCreatedEvent), (pod, ContainerEventType.ContainerStartedEvent),
            (id, ContainerEventType.ContainerCreatedEvent), (id, ContainerEventType.ContainerStartedEvent),
            (id, ContainerEventType.ContainerStoppedEvent), (id, ContainerEventType.ContainerDeletedEvent),
            (pod, ContainerEventType.ContainerStoppedEvent), (pod, ContainerEventType.ContainerDeletedEvent),
        };
        foreach (var events in new[] { firstEvents, secondEvents })
        {
            Assert.Equal(expected, events.Select(e => (e.ContainerId, e.ContainerEventType)).ToArray());
            Assert.All(events, e => Assert.Equal("events", e.PodSandboxStatus.Metadata.Name));
            var stopped = events.Single(e => e.ContainerId == id && e.ContainerEventType == ContainerEventType.ContainerStoppedEvent);
            Assert.Equal(7, stopped.ContainersStatuses.Single(s => s.Id == id).ExitCode);
            Assert.True(events.Zip(events.Skip(1)).All(p => p.First.CreatedAt <= p.Second.CreatedAt));
        }
    }

    private static async Task CollectAsync(IAsyncStreamReader<ContainerEventResponse> stream, List<ContainerEventResponse> events, CancellationToken cancellationToken)
    {
        try
        {
            while (await stream.MoveNext(cancellationToken))
            {
                lock (events)
                {
                    events.Add(stream.Current);
                }
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            // The test ended its subscription.
        }
        catch (OperationCanceledException)
        {
            // The same, seen from the reader.
        }
    }

    private static List<ContainerEventResponse> Snapshot(List<ContainerEventResponse> events)
    {
        lock (events)
        {
            return [.. events];
        }
    }
}
