using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override Task<ContainerStatsResponse> ContainerStats(ContainerStatsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireContainerId(request.ContainerId);
        var container = _containers.Store.Get(request.ContainerId);
        return Task.FromResult(new ContainerStatsResponse { Stats = _stats.Container(container) });
    }

    public override Task<ListContainerStatsResponse> ListContainerStats(ListContainerStatsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The stats filter has the container filter's fields but its own type: translated once.
        var filter = request.Filter is { } f ? new ContainerFilter { Id = f.Id, PodSandboxId = f.PodSandboxId, LabelSelector = { f.LabelSelector } } : null;
        var response = new ListContainerStatsResponse();
        foreach (var container in _containers.Store.All)
        {
            if (filter is not null && !ContainerViews.Matches(container, filter))
            {
                continue;
            }

            if (_stats.Container(container) is { } stats)
            {
                response.Stats.Add(stats);
            }
        }

        return Task.FromResult(response);
    }
}
