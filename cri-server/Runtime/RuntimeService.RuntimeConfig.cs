using CriO.Cri;
using CriO.Server.Config;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    // The kubelet compares this with its own cgroupDriver and takes the runtime's when told to.
    public override Task<RuntimeConfigResponse> RuntimeConfig(RuntimeConfigRequest request, ServerCallContext context) =>
        Task.FromResult(new RuntimeConfigResponse
        {
            Linux = new LinuxRuntimeConfiguration
            {
                CgroupDriver = _daemon.Config.Runtime.CgroupManager == CgroupManagers.Systemd ? CgroupDriver.Systemd : CgroupDriver.Cgroupfs,
            },
        });
}
