using System.Diagnostics;
using CriO.Cri;
using CriO.Server.Errors;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    // Stop of an exited or unknown container succeeds: the CRI contract (the kubelet retries Stop).
    public override async Task<StopContainerResponse> StopContainer(StopContainerRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireContainerId(request.ContainerId);
        if (request.Timeout < 0)
        {
            throw new InvalidArgumentException($"timeout: {request.Timeout} is negative");
        }

        Activity.Current?.SetTag("container.id", request.ContainerId);
        await _containers.StopAsync(request.ContainerId, TimeSpan.FromSeconds(request.Timeout), context.CancellationToken).ConfigureAwait(false);
        return new StopContainerResponse();
    }
}
