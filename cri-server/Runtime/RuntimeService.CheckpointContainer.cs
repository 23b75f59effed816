using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    /// <summary>
    /// Checkpointing (the kubelet's ContainerCheckpoint feature) needs CRIU on the node. Without
    /// it the call fails as a precondition the operator can fix; with it, it is still not built
    /// here, and says so. The container must exist either way.
    /// </summary>
    public override Task<CheckpointContainerResponse> CheckpointContainer(CheckpointContainerRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireContainerId(request.ContainerId);
        var container = _containers.Store.Get(request.ContainerId);
        if (RuntimeBinary.Find("criu") is null)
        {
            throw new Errors.FailedPreconditionException($"checkpointing container {container.Id} needs CRIU, which is not installed on this node");
        }

        throw new RpcException(new Status(StatusCode.Unimplemented, "CheckpointContainer: checkpointing with CRIU is not built into crio yet"));
    }
}
