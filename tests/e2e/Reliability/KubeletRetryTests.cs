using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Grpc.Core;

namespace CriO.E2E.Tests.Reliability;

/// <summary>
/// The kubelet's retry after a deadline: RunPodSandbox and CreateContainer calls that the
/// client gives up on go on, and the retry with the same name gets the same pod or container
/// instead of "name is reserved".
/// </summary>
public sealed class KubeletRetryTests
{
    [Fact]
    public async Task A_retry_after_a_deadline_gets_the_pod_and_container_the_first_call_made()
    {
        await using var setup = await ContainerHost.StartAsync();
        var config = setup.Host.PodConfig("deadline");

        // Deadlines far shorter than the work: the client gives up while crio makes the pod.
        var gaveUp = await GiveUpAsync(() => setup.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, deadline: DateTime.UtcNow.AddMilliseconds(40)).ResponseAsync);
        var pod = (await setup.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config })).PodSandboxId;
        var pods = (await setup.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items.Where(p => p.Metadata.Name == "deadline").ToList();
        Assert.Single(pods);
        Assert.Equal(pod, pods[0].Id);

        var container = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = "slowstart" },
            Image = new ImageSpec { Image = setup.ImageName },
            Command = { "sleep", "600" },
        };
        var request = new CreateContainerRequest { PodSandboxId = pod, Config = container, SandboxConfig = config };
        gaveUp |= await GiveUpAsync(() => setup.Runtime.CreateContainerAsync(request, deadline: DateTime.UtcNow.AddMilliseconds(20)).ResponseAsync);
        var id = (await setup.Runtime.CreateContainerAsync(request)).ContainerId;
        var containers = (await setup.Runtime.ListContainersAsync(new ListContainersRequest())).Containers.Where(c => c.Metadata.Name == "slowstart").ToList();
        Assert.Single(containers);
        Assert.Equal(id, containers[0].Id);
        await setup.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });

        // Both calls may be fast enough on a quiet machine; at least one must have timed out for the check to mean anything.
        Assert.True(gaveUp, "neither call outlived its deadline");
    }

    private static async Task<bool> GiveUpAsync(Func<Task> call)
    {
        try
        {
            await call();
            return false;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            return true;
        }
    }
}
