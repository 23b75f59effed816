using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override async Task<UpdateContainerResourcesResponse> UpdateContainerResources(UpdateContainerResourcesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireContainerId(request.ContainerId);
        await _containers.UpdateResourcesAsync(request.ContainerId, request.Linux, context.CancellationToken).ConfigureAwait(false);
        return new UpdateContainerResourcesResponse();
    }
}
