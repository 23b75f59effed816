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
        var filter = request.Filter;
        var response = new ListContainerStatsResponse();
        foreach (var container in _containers.Store.All)
        {
            if (filter is not null && !ContainerViews.Matches(container, new ContainerFilter { Id = filter.Id, PodSandboxId = filter.PodSandboxId, LabelSelector = { filter.LabelSelector } }))
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
