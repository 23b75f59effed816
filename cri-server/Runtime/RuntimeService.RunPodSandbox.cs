using System.Diagnostics;
using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override async Task<RunPodSandboxResponse> RunPodSandbox(RunPodSandboxRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        Activity.Current?.SetTag("pod.name", request.Config?.Metadata?.Name);
        Activity.Current?.SetTag("pod.namespace", request.Config?.Metadata?.Namespace);
        var id = await _sandboxes.RunAsync(request.Config!, request.RuntimeHandler, context.CancellationToken, context.Deadline).ConfigureAwait(false);
        Activity.Current?.SetTag("pod.id", id);
        return new RunPodSandboxResponse { PodSandboxId = id };
    }
}
