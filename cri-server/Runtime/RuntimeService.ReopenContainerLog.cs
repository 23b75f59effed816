using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override async Task<ReopenContainerLogResponse> ReopenContainerLog(ReopenContainerLogRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireContainerId(request.ContainerId);
        await _containers.ReopenLogAsync(request.ContainerId, context.CancellationToken).ConfigureAwait(false);
        return new ReopenContainerLogResponse();
    }
}
