using System.Diagnostics;
using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    // Remove of an unknown container succeeds (CRI contract); a running one is stopped first.
    public override async Task<RemoveContainerResponse> RemoveContainer(RemoveContainerRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireContainerId(request.ContainerId);
        Activity.Current?.SetTag("container.id", request.ContainerId);
        await _containers.RemoveAsync(request.ContainerId, context.CancellationToken).ConfigureAwait(false);
        return new RemoveContainerResponse();
    }
}
