using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    // Polled by the kubelet every second: one pass over the snapshot, one stat per live container.
    public override Task<ListContainersResponse> ListContainers(ListContainersRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var filter = request.Filter;
        var response = new ListContainersResponse();
        foreach (var container in _containers.Store.All)
        {
            _containers.Refresh(container);
            if (filter is null || ContainerViews.Matches(container, filter))
            {
                response.Containers.Add(ContainerViews.ListEntry(container));
            }
        }

        return Task.FromResult(response);
    }
}
