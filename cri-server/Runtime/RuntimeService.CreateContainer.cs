using System.Diagnostics;
using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override async Task<CreateContainerResponse> CreateContainer(CreateContainerRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireId(request.PodSandboxId);
        Activity.Current?.SetTag("pod.id", request.PodSandboxId);
        var id = await _containers.CreateAsync(request.PodSandboxId, request.Config, context.CancellationToken, context.Deadline).ConfigureAwait(false);
        Activity.Current?.SetTag("container.id", id);
        return new CreateContainerResponse { ContainerId = id };
    }
}
