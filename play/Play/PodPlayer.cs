using CriO.Cri;
using Grpc.Core;
using k8s.Models;

namespace CriO.Server.Play;

/// <summary>
/// Runs a manifest through the CRI the way the kubelet would, with no restarts:
/// <code>
/// images (pull policy) ─▶ volumes ─▶ RunPodSandbox ─▶ init containers, one by one, each to exit 0
///                                                  ─▶ containers, all started
///                                                  ─▶ Always: Running │ Never/OnFailure: wait for every exit
/// </code>
/// Images and runAsNonRoot are settled before anything is made. When a step fails, what was
/// made is undone in reverse (the pod removed, its folders deleted); a pod that ran and failed
/// is kept for inspection, as the kubelet keeps it, until `crio play --down`.
/// </summary>
public sealed class PodPlayer(RuntimeService.RuntimeServiceClient runtime, ImageService.ImageServiceClient images, PlaySettings settings, TextWriter output)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The phase the pod reached.</summary>
    public async Task<string> RunAsync(PodManifest manifest, CancellationToken cancellationToken)
    {
        foreach (var warning in manifest.Warnings)
        {
            await output.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        }

        await RefuseSecondCopyAsync(manifest, cancellationToken).ConfigureAwait(false);
        var podImages = await new PodImages(images, output).EnsureAsync(manifest, cancellationToken).ConfigureAwait(false);
        var podFolder = settings.PodFolder(manifest.Namespace, manifest.Name, manifest.Uid);
        var logFolder = settings.LogFolder(manifest.Namespace, manifest.Name, manifest.Uid);
        string? podId = null;
        try
        {
            var volumes = PodVolumes.Prepare(manifest, podFolder);
            Directory.CreateDirectory(logFolder);
            var sandboxConfig = PodSandboxConfigBuilder.Build(manifest, settings);
            podId = (await runtime.RunPodSandboxAsync(new RunPodSandboxRequest
            {
                Config = sandboxConfig,
                RuntimeHandler = manifest.Pod.Spec.RuntimeClassName ?? "",
            }, cancellationToken: cancellationToken)).PodSandboxId;
            var sandbox = (await runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = podId }, cancellationToken: cancellationToken)).Status;
            var podIp = string.IsNullOrEmpty(sandbox.Network?.Ip) && manifest.Pod.Spec.HostNetwork == true ? HostAddress.Primary() : sandbox.Network?.Ip ?? "";
            var pod = new PlayedPod(manifest, podId, sandboxConfig, podImages, new PodEnvironment(manifest, podIp, Environment.MachineName), volumes, PodQos.MachineMemory());
            var phase = await RunContainersAsync(pod, cancellationToken).ConfigureAwait(false);
            await PodReport.WriteAsync(output, runtime, manifest, podId, phase, logFolder, cancellationToken).ConfigureAwait(false);
            if (!PodPhase.IsSuccess(phase))
            {
                await output.WriteLineAsync($"the pod is kept for inspection; `crio play --down` removes it").ConfigureAwait(false);
            }

            return phase;
        }
        catch (Exception e) when (e is RpcException or IOException or UnauthorizedAccessException or ManifestException or OperationCanceledException)
        {
            await UndoAsync(podId, podFolder, logFolder).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<string> RunContainersAsync(PlayedPod pod, CancellationToken cancellationToken)
    {
        var manifest = pod.Manifest;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            foreach (var init in manifest.Pod.Spec.InitContainers ?? [])
            {
                var id = await StartAsync(pod, init, cancellationToken).ConfigureAwait(false);
                var exitCode = await WaitForExitAsync(id, deadline.Token).ConfigureAwait(false);
                if (exitCode != 0)
                {
                    await output.WriteLineAsync($"init container {init.Name} exited with {exitCode}; the pod's containers are not started (crio play does not restart)").ConfigureAwait(false);
                    return PodPhase.Failed;
                }
            }

            var ids = new List<string>();
            foreach (var container in manifest.Pod.Spec.Containers)
            {
                ids.Add(await StartAsync(pod, container, cancellationToken).ConfigureAwait(false));
            }

            if (manifest.RestartPolicy == "Always")
            {
                return PodPhase.Running;
            }

            var exitCodes = new List<int>();
            foreach (var id in ids)
            {
                exitCodes.Add(await WaitForExitAsync(id, deadline.Token).ConfigureAwait(false));
            }

            return exitCodes.All(c => c == 0) ? PodPhase.Succeeded : PodPhase.Failed;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await output.WriteLineAsync($"timed out after {settings.Timeout.TotalSeconds:0}s waiting for the containers to finish").ConfigureAwait(false);
            return PodPhase.Pending;
        }
    }

    private async Task<string> StartAsync(PlayedPod pod, V1Container container, CancellationToken cancellationToken)
    {
        var config = ContainerConfigBuilder.Build(pod.Manifest, container, pod.Images[container.Image], pod.Environment, pod.Volumes, pod.MachineMemory);
        var id = (await runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = pod.Id, Config = config, SandboxConfig = pod.SandboxConfig }, cancellationToken: cancellationToken)).ContainerId;
        await runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id }, cancellationToken: cancellationToken);
        return id;
    }

    private async Task<int> WaitForExitAsync(string containerId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = (await runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId }, cancellationToken: cancellationToken)).Status;
            if (status.State == ContainerState.ContainerExited)
            {
                return status.ExitCode;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    // The daemon reserves names per uid, and a manifest without a uid gets a new one each run:
    // without this check a second `crio play` would start a second copy of the pod.
    private async Task RefuseSecondCopyAsync(PodManifest manifest, CancellationToken cancellationToken)
    {
        var existing = await PodTeardown.FindAsync(runtime, manifest, cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0)
        {
            throw new ManifestException($"pod {manifest.Namespace}/{manifest.Name} is already there (sandbox {existing[0].Id[..12]}); `crio play --down` removes it");
        }
    }

    // Cleanup has its own bound: the caller's token may be the reason we are here.
    private async Task UndoAsync(string? podId, string podFolder, string logFolder)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        if (podId is not null)
        {
            try
            {
                await runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = podId }, cancellationToken: bound.Token);
                await runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = podId }, cancellationToken: bound.Token);
            }
            catch (RpcException e)
            {
                await output.WriteLineAsync($"warning: could not remove pod sandbox {podId}: {e.Status.Detail}").ConfigureAwait(false);
            }
        }

        PodTeardown.DeleteFolder(podFolder);
        PodTeardown.DeleteFolder(logFolder);
    }

    /// <summary>What every container of the running pod is built from, settled once.</summary>
    private sealed record PlayedPod(
        PodManifest Manifest,
        string Id,
        PodSandboxConfig SandboxConfig,
        IReadOnlyDictionary<string, CriO.Cri.Image> Images,
        PodEnvironment Environment,
        PodVolumes Volumes,
        long MachineMemory);
}
