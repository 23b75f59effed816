using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;

namespace CriO.E2E.Tests.Reliability;

/// <summary>CheckpointContainer answers with a clear status: NotFound, FailedPrecondition without a working CRIU (saying why), Unimplemented with one.</summary>
public sealed class CheckpointTests
{
    [Fact]
    public async Task Checkpoint_answers_with_a_status_that_says_what_is_missing()
    {
        await using var setup = await ContainerHost.StartAsync();
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("checkpoint"));
        var id = await setup.StartAsync(pod, "sleeper", ["sleep", "600"]);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.CheckpointContainerAsync(new CheckpointContainerRequest { ContainerId = new string('e', 64) }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.CheckpointContainerAsync(new CheckpointContainerRequest()));
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await setup.Runtime.CheckpointContainerAsync(new CheckpointContainerRequest { ContainerId = id, Location = "/tmp/x.tar" }));
        var criu = new[] { "/usr/sbin/criu", "/usr/bin/criu", "/usr/local/sbin/criu", "/sbin/criu" }.FirstOrDefault(File.Exists);
        var works = criu is not null && (await CriO.Tests.Shared.ChildProcess.RunAsync(criu, ["check"])).ExitCode == 0;
        Assert.Equal(works ? StatusCode.Unimplemented : StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("CRIU", refused.Status.Detail, StringComparison.Ordinal);
    }
}
