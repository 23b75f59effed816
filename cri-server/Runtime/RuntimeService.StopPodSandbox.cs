using System.Diagnostics;
using CriO.Cri;
using CriO.Server.Errors;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    // Stop of an unknown or stopped pod succeeds: the CRI contract (the kubelet retries Stop).
    public override async Task<StopPodSandboxResponse> StopPodSandbox(StopPodSandboxRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireId(request.PodSandboxId);
        Activity.Current?.SetTag("pod.id", request.PodSandboxId);
        await _sandboxes.StopAsync(request.PodSandboxId, context.CancellationToken).ConfigureAwait(false);
        return new StopPodSandboxResponse();
    }
}
