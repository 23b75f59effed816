using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override Task<PodSandboxStatsResponse> PodSandboxStats(PodSandboxStatsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.PodSandboxId);
        var pod = _sandboxes.Store.Get(request.PodSandboxId);
        return Task.FromResult(new PodSandboxStatsResponse { Stats = _stats.Pod(pod) });
    }

    public override Task<ListPodSandboxStatsResponse> ListPodSandboxStats(ListPodSandboxStatsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var filter = request.Filter is { } f ? new PodSandboxFilter { Id = f.Id, LabelSelector = { f.LabelSelector } } : null;
        var response = new ListPodSandboxStatsResponse();
        foreach (var pod in _sandboxes.Store.All)
        {
            if (filter is not null && !Matches(pod, filter))
            {
                continue;
            }

            response.Stats.Add(_stats.Pod(pod));
        }

        return Task.FromResult(response);
    }
}
