using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override Task<ContainerStatusResponse> ContainerStatus(ContainerStatusRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireContainerId(request.ContainerId);
        var container = _containers.Refresh(_containers.Store.Get(request.ContainerId));
        var response = new ContainerStatusResponse { Status = ContainerViews.Status(container) };
        if (request.Verbose)
        {
            response.Info["info"] = ContainerViews.Info(container);
        }

        return Task.FromResult(response);
    }
}
