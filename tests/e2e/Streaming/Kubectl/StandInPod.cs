namespace CriO.E2E.Tests.Streaming.Kubectl;

/// <summary>A crio pod as the stand-in API server shows it to kubectl: a running Pod object.</summary>
internal sealed record StandInPod(string Name, string SandboxId, IReadOnlyList<StandInContainer> Containers, bool HostNetwork = false)
{
    /// <summary>The Pod object (what kubectl reads before it streams: phase, containers and their stdin/tty).</summary>
    public object ToJson() => new
    {
        kind = "Pod",
        apiVersion = "v1",
        metadata = new { name = Name, @namespace = "default", uid = SandboxId[..32] },
        spec = new
        {
            hostNetwork = HostNetwork,
            containers = Containers.Select(c => new { name = c.Name, image = "busybox", stdin = c.Stdin, stdinOnce = c.StdinOnce, tty = c.Tty }).ToArray(),
        },
        status = new
        {
            phase = "Running",
            containerStatuses = Containers.Select(c => new
            {
                name = c.Name,
                ready = true,
                image = "busybox",
                imageID = "",
                containerID = $"cri-o://{c.Id}",
                state = new { running = new { startedAt = "2026-01-01T00:00:00Z" } },
            }).ToArray(),
        },
    };
}

/// <summary>One container of a <see cref="StandInPod"/>: its name in the Pod and its crio id.</summary>
internal sealed record StandInContainer(string Name, string Id, bool Stdin = false, bool StdinOnce = false, bool Tty = false);
