using System.Threading.Channels;
using CriO.Cri;
using CriO.Server.Containers;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    /// <summary>
    /// The evented PLEG's stream: every lifecycle event from the subscription on, each with its
    /// pod's status and the statuses of the pod's containers as they are when it is sent.
    /// </summary>
    public override async Task GetContainerEvents(GetEventsRequest request, IServerStreamWriter<ContainerEventResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var subscription = _events.Subscribe();
        try
        {
            await foreach (var change in subscription.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(EventResponse(change), context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException e)
        {
            throw new Errors.UnavailableException(e.InnerException?.Message ?? e.Message, e);
        }
        finally
        {
            _events.Unsubscribe(subscription);
        }
    }

    private ContainerEventResponse EventResponse(ContainerEvent change)
    {
        var response = new ContainerEventResponse
        {
            ContainerId = change.ContainerId,
            ContainerEventType = change.Type,
            CreatedAt = change.CreatedAt,
            PodSandboxStatus = SandboxViews.Status(change.Pod),
        };
        response.ContainersStatuses.AddRange(_containers.Store.All
            .Where(c => c.Record.PodId == change.Pod.Id)
            .Select(c => ContainerViews.Status(_containers.Refresh(c))));
        return response;
    }
}
