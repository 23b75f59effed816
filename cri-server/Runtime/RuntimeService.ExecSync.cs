using CriO.Cri;
using CriO.Server.Errors;
using Google.Protobuf;
using Grpc.Core;

namespace CriO.Server.Runtime;

public sealed partial class RuntimeService
{
    public override async Task<ExecSyncResponse> ExecSync(ExecSyncRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireContainerId(request.ContainerId);
        if (request.Timeout < 0)
        {
            throw new InvalidArgumentException($"timeout: {request.Timeout} is negative");
        }

        var result = await _containers.ExecSyncAsync(request.ContainerId, [.. request.Cmd], TimeSpan.FromSeconds(request.Timeout), context.CancellationToken).ConfigureAwait(false);
        return new ExecSyncResponse
        {
            ExitCode = result.ExitCode,
            Stdout = ByteString.CopyFrom(result.Output),
            Stderr = ByteString.CopyFrom(result.Errors),
        };
    }
}
