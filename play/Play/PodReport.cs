using CriO.Cri;

namespace CriO.Server.Play;

/// <summary>What crio play prints when it is done: the pod's phase, state and IP, each container's state and exit code, then each container's log.</summary>
public static class PodReport
{
    public static async Task WriteAsync(TextWriter output, RuntimeService.RuntimeServiceClient runtime, PodManifest manifest, string podId, string phase, string logFolder, CancellationToken cancellationToken)
    {
        var pod = (await runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = podId }, cancellationToken: cancellationToken)).Status;
        var containers = (await runtime.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = podId } }, cancellationToken: cancellationToken)).Containers;
        await output.WriteLineAsync($"pod {manifest.Namespace}/{manifest.Name} (uid {manifest.Uid}, sandbox {podId[..Math.Min(12, podId.Length)]})").ConfigureAwait(false);
        await output.WriteLineAsync($"phase: {phase}").ConfigureAwait(false);
        await output.WriteLineAsync($"sandbox: {pod.State}, IP {(string.IsNullOrEmpty(pod.Network?.Ip) ? "(none)" : pod.Network.Ip)}").ConfigureAwait(false);
        foreach (var container in manifest.AllContainers)
        {
            var kind = manifest.Pod.Spec.InitContainers?.Contains(container) == true ? "init container" : "container";
            var found = containers.FirstOrDefault(c => c.Metadata.Name == container.Name);
            if (found is null)
            {
                await output.WriteLineAsync($"{kind} {container.Name}: not created").ConfigureAwait(false);
                continue;
            }

            var status = (await runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = found.Id }, cancellationToken: cancellationToken)).Status;
            var exit = status.State == ContainerState.ContainerExited ? $", exit code {status.ExitCode}{(string.IsNullOrEmpty(status.Reason) ? "" : $" ({status.Reason})")}" : "";
            await output.WriteLineAsync($"{kind} {container.Name}: {StateName(status.State)}{exit}").ConfigureAwait(false);
        }

        foreach (var container in manifest.AllContainers.Where(c => containers.Any(found => found.Metadata.Name == c.Name)))
        {
            await output.WriteLineAsync($"--- log of {container.Name} ---").ConfigureAwait(false);
            await output.WriteAsync(CriLogText.Read(Path.Combine(logFolder, container.Name, "0.log"))).ConfigureAwait(false);
        }
    }

    public static string StateName(ContainerState state) => state switch
    {
        ContainerState.ContainerCreated => "Created",
        ContainerState.ContainerRunning => "Running",
        ContainerState.ContainerExited => "Exited",
        _ => "Unknown",
    };
}
