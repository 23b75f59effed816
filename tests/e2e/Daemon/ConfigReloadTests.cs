using CriO.Cri;
using CriO.E2E.Tests.Fixtures;

namespace CriO.E2E.Tests.Daemon;

/// <summary>SIGHUP: what CRI-O reloads live takes effect without a restart; the rest waits for one.</summary>
public sealed class ConfigReloadTests
{
    [Fact]
    public async Task SIGHUP_applies_log_level_a_new_runtime_handler_and_pinned_images_live()
    {
        await using var setup = await ContainerHost.StartAsync();
        var host = setup.Host;
        var runtime = host.Runtime;
        var images = new ImageService.ImageServiceClient(host.Crio.Channel);
        Assert.DoesNotContain((await runtime.StatusAsync(new StatusRequest())).RuntimeHandlers, h => h.Name == "crun-live");
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await host.RunAsync(host.PodConfig("before"), "crun-live"));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, refused.StatusCode);

        File.WriteAllText(Path.Combine(host.Folder.DropInDirectory, "90-reload.conf"), $"""
            [crio]
            log_dir = "{host.Folder.Root}/elsewhere"
            [crio.runtime]
            log_level = "debug"
            [crio.runtime.runtimes.crun-live]
            runtime_path = "/usr/bin/crun"
            runtime_root = "{host.Folder.Root}/crun-live"
            [crio.image]
            pinned_images = ["{setup.ImageName}"]
            """);
        host.Crio.Signal(Signals.SIGHUP);
        await host.Crio.WaitForLogAsync("configuration reloaded; log level debug");

        Assert.Contains("crio.runtime.runtimes.crun-live (added) takes effect now", host.Crio.Log, StringComparison.Ordinal);
        Assert.Contains("crio.log_dir changed; it takes effect after a restart", host.Crio.Log, StringComparison.Ordinal);
        Assert.Contains((await runtime.StatusAsync(new StatusRequest())).RuntimeHandlers, h => h.Name == "crun-live");
        var listed = await images.ListImagesAsync(new ListImagesRequest());
        Assert.True(listed.Images.Single(i => i.RepoTags.Contains(setup.ImageName)).Pinned, "pinned_images took effect");

        // debug now logs each call.
        await runtime.VersionAsync(new VersionRequest());
        await host.Crio.WaitForLogAsync("Version: request");

        // A pod of the new handler runs its containers through crun.
        var pod = await host.RunAsync(host.PodConfig("reloaded"), "crun-live");
        var id = await setup.StartAsync(pod, "hello", ["sh", "-c", "echo live; sleep 600"]);
        Assert.Equal("crun-live", (await host.StatusAsync(pod)).Status.RuntimeHandler);
        var (exitCode, output) = await setup.ExecAsync(id, "echo", "exec works");
        Assert.Equal(0, exitCode);
        Assert.Contains("exec works", output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(host.Folder.Root, "crun-live", id)), "crun keeps the container's state under the new handler's root");

        await runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod });
        await runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod });
        Assert.False(Directory.Exists(Path.Combine(host.Folder.Root, "crun-live", id)));
    }
}
