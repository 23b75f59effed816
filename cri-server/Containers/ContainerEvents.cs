using System.Threading.Channels;
using CriO.Cri;

namespace CriO.Server.Containers;

/// <summary>One lifecycle change, with the objects as they were (a deleted one is gone from its store by the time it is sent).</summary>
public sealed record ContainerEvent(ContainerEventType Type, string ContainerId, Sandbox.PodSandbox Pod, long CreatedAt);

/// <summary>
/// Lifecycle events for GetContainerEvents (the kubelet's evented PLEG): containers created,
/// started, stopped (by StopContainer or on their own) and deleted, and the same for pod
/// sandboxes under the sandbox's ID, as CRI-O sends them for its infra containers. Every
/// subscriber gets every event in order; one that falls 1000 events behind is dropped (its
/// stream ends with an error) rather than slowing the daemon, and the kubelet then lists anew.
/// </summary>
public sealed class ContainerEvents(TimeProvider time)
{
    public const int Backlog = 1000;

    private readonly Lock _lock = new();
    private readonly List<Channel<ContainerEvent>> _subscribers = [];

    /// <summary>Events from now on, until <see cref="Unsubscribe"/>.</summary>
    public ChannelReader<ContainerEvent> Subscribe()
    {
        var channel = Channel.CreateBounded<ContainerEvent>(new BoundedChannelOptions(Backlog) { SingleReader = true, SingleWriter = false });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }

        return channel.Reader;
    }

    public void Unsubscribe(ChannelReader<ContainerEvent> reader)
    {
        lock (_lock)
        {
            _subscribers.RemoveAll(c => c.Reader == reader);
        }
    }

    public int Subscribers
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    public void Publish(ContainerEventType type, string containerId, Sandbox.PodSandbox pod)
    {
        var change = new ContainerEvent(type, containerId, pod, (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100);
        lock (_lock)
        {
            // Under the lock, so that every subscriber sees events in the same order.
            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].Writer.TryWrite(change))
                {
                    _subscribers[i].Writer.TryComplete(new InvalidOperationException($"more than {Backlog} container events were not read: list the containers anew"));
                    Telemetry.CrioMetrics.EventsDropped(1);
                    _subscribers.RemoveAt(i);
                }
            }
        }
    }
}
