using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    /// <summary>
    /// Checkpointing (the kubelet's ContainerCheckpoint feature) needs a CRIU that works on this
    /// node. Without one the call fails as a precondition the operator can fix, saying why; with
    /// one, checkpointing is still not built here, and says so. The container must exist either way.
    /// </summary>
    public override async Task<CheckpointContainerResponse> CheckpointContainer(CheckpointContainerRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireContainerId(request.ContainerId);
        var container = _containers.Store.Get(request.ContainerId);
        if (await CriuCheck.ProblemAsync().ConfigureAwait(false) is { } problem)
        {
            throw new Errors.FailedPreconditionException($"checkpointing container {container.Id} needs CRIU: {problem}");
        }

        throw new RpcException(new Status(StatusCode.Unimplemented, "CheckpointContainer: checkpointing with CRIU is not built into crio yet"));
    }
}
