using System.Diagnostics;
using CriO.Cri;
using CriO.Server.Errors;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override async Task<StartContainerResponse> StartContainer(StartContainerRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireContainerId(request.ContainerId);
        Activity.Current?.SetTag("container.id", request.ContainerId);
        await _containers.StartAsync(request.ContainerId, context.CancellationToken).ConfigureAwait(false);
        return new StartContainerResponse();
    }
}
