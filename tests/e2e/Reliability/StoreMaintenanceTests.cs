using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using CriO.Tests.Shared;

namespace CriO.E2E.Tests.Reliability;

/// <summary>
/// version_file, clean_shutdown_file and `crio wipe`: after a reboot (the version file, on a
/// tmpfs, is gone) the pods and containers of before are wiped at start-up; a clean stop
/// leaves the clean-shutdown file; `crio wipe --force` empties the CRI's part of the store.
/// </summary>
public sealed class StoreMaintenanceTests
{
    [Fact]
    public async Task After_a_reboot_the_old_pods_are_wiped_and_crio_wipe_force_empties_the_store()
    {
        await using var setup = await ContainerHost.StartAsync();
        var cleanShutdown = Path.Combine(setup.Host.Folder.Root, "lib", "clean.shutdown");
        Assert.False(File.Exists(cleanShutdown), "the clean-shutdown file is removed while crio runs");
        var pod = await setup.Host.RunAsync(setup.Host.PodConfig("beforereboot"));
        var id = await setup.StartAsync(pod, "old", ["sleep", "600"]);
        await setup.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod });

        // A reboot: every process is gone (stopped above), and so is the tmpfs the version file lives on.
        await setup.Host.RestartDaemonAsync(() =>
        {
            Assert.True(File.Exists(cleanShutdown), "a clean stop leaves the clean-shutdown file");
            File.Delete(Path.Combine(setup.Host.Folder.Root, "runroot", "crio-version"));
            return Task.CompletedTask;
        });

        Assert.Empty((await setup.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items);
        Assert.Empty((await setup.Runtime.ListContainersAsync(new ListContainersRequest())).Containers);
        Assert.Contains($"wiped container {id}", setup.Host.Crio.Log, StringComparison.Ordinal);

        // What a real reboot clears by itself (processes, cgroups, the runtime's state) is not
        // faked here; the store's part is crio's to wipe.
        Assert.DoesNotContain("\"id\"", File.ReadAllText(Path.Combine(setup.Host.Folder.Root, "storage", "overlay-containers", "containers.json")), StringComparison.Ordinal);

        // By hand, with the daemon stopped: the images go too (none is in use).
        var again = await setup.Host.RunAsync(setup.Host.PodConfig("wipe"));
        await setup.StartAsync(again, "doomed", ["sleep", "600"]);
        await setup.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = again });
        await setup.Host.RestartDaemonAsync(async () =>
        {
            var folder = setup.Host.Folder;
            var (exitCode, output, errors) = await ChildProcess.RunAsync(RepositoryPaths.CrioBinary,
                ["wipe", "--force", "--config", folder.ConfigFile, "--config-dir", folder.DropInDirectory]);
            Assert.True(exitCode == 0, errors);
            Assert.Contains("wiped 2 containers and 2 images", output, StringComparison.Ordinal);
        });

        Assert.Empty((await setup.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items);
        Assert.Empty((await new ImageService.ImageServiceClient(setup.Host.Crio.Channel).ListImagesAsync(new ListImagesRequest())).Images);
    }
}
