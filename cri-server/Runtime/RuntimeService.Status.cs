using CriO.Cni;
using CriO.Cri;
using CriO.Server.Config;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    // Condition types the kubelet looks for (CRI's RuntimeReady and NetworkReady).
    private const string RuntimeReadyCondition = "RuntimeReady";
    private const string NetworkReadyCondition = "NetworkReady";

    public override Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var config = _daemon.Config;
        var runtime = RuntimeReadiness.Check(config);
        // Kept current by the watcher on network_dir: no disk access per call.
        var network = _sandboxes.Network.Readiness;

        var response = new StatusResponse
        {
            Status = new RuntimeStatus
            {
                Conditions =
                {
                    new RuntimeCondition { Type = RuntimeReadyCondition, Status = runtime.Ready, Reason = runtime.Reason, Message = runtime.Message },
                    new RuntimeCondition { Type = NetworkReadyCondition, Status = network.Ready, Reason = network.Reason, Message = network.Message },
                },
            },

            // No handler supports recursive read-only mounts or user namespaces yet: say so.
            Features = new RuntimeFeatures { SupplementalGroupsPolicy = false },
        };
        foreach (var name in config.Runtime.Runtimes.Keys)
        {
            response.RuntimeHandlers.Add(new RuntimeHandler { Name = name, Features = new RuntimeHandlerFeatures() });
        }

        // The kubelet also asks for the default handler under the empty name.
        response.RuntimeHandlers.Add(new RuntimeHandler { Name = "", Features = new RuntimeHandlerFeatures() });

        if (request.Verbose)
        {
            response.Info["config"] = ConfigPrinter.ToJson(config);
            response.Info["version"] = JsonText.Object(("runtimeName", CrioVersion.RuntimeName), ("runtimeVersion", CrioVersion.Current));
            if (network.Network is { } chosen)
            {
                response.Info["cniNetwork"] = JsonText.Object(("name", chosen.Name), ("path", chosen.Path));
            }
        }

        return Task.FromResult(response);
    }
}
