using CriO.Cri;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    // The version of the kubelet-runtime API handshake; every CRI runtime answers this value.
    private const string KubeletApiVersion = "0.1.0";

    public override Task<VersionResponse> Version(VersionRequest request, ServerCallContext context) =>
        Task.FromResult(new VersionResponse
        {
            Version = KubeletApiVersion,
            RuntimeName = CrioVersion.RuntimeName,
            RuntimeVersion = CrioVersion.Current,
            RuntimeApiVersion = CrioVersion.CriApiVersion,
        });
}
