using System.Net;
using CriO.Cri;
using CriO.Server.Errors;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    // The kubelet sends the node's pod CIDR here at start; CNI plugins that allocate from it read it later.
    public override Task<UpdateRuntimeConfigResponse> UpdateRuntimeConfig(UpdateRuntimeConfigRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var podCidr = request.RuntimeConfig?.NetworkConfig?.PodCidr ?? "";
        foreach (var cidr in podCidr.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPNetwork.TryParse(cidr, out _))
            {
                throw new InvalidArgumentException($"runtime_config.network_config.pod_cidr: \"{cidr}\" is not a CIDR");
            }
        }

        _daemon.SetPodCidr(podCidr);
        return Task.FromResult(new UpdateRuntimeConfigResponse());
    }
}
