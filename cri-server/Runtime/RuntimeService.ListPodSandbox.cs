using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    // Polled by the kubelet every second: one pass over the snapshot, no lock, no disk.
    public override Task<ListPodSandboxResponse> ListPodSandbox(ListPodSandboxRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var filter = request.Filter;
        var response = new ListPodSandboxResponse();
        foreach (var pod in _sandboxes.Store.All)
        {
            if (filter is not null && !Matches(pod, filter))
            {
                continue;
            }

            response.Items.Add(SandboxViews.ListEntry(pod));
        }

        return Task.FromResult(response);
    }

    private static bool Matches(Sandbox.PodSandbox pod, PodSandboxFilter filter)
    {
        // An ID filter matches the full ID or a prefix of it, as crictl's short IDs need.
        if (filter.Id.Length > 0 && !pod.Id.StartsWith(filter.Id, StringComparison.Ordinal))
        {
            return false;
        }

        if (filter.State is { } state && state.State != (pod.IsReady ? PodSandboxState.SandboxReady : PodSandboxState.SandboxNotready))
        {
            return false;
        }

        foreach (var (key, value) in filter.LabelSelector)
        {
            if (!pod.Config.Labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        return true;
    }
}
