using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override Task<PodSandboxStatusResponse> PodSandboxStatus(PodSandboxStatusRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.PodSandboxId);
        var pod = _sandboxes.Store.Get(request.PodSandboxId);
        var response = new PodSandboxStatusResponse
        {
            Status = SandboxViews.Status(pod),
            Timestamp = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100,
        };
        if (request.Verbose)
        {
            response.Info["info"] = SandboxViews.Info(pod);
        }

        return Task.FromResult(response);
    }
}
