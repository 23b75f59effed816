using CriO.Server.Containers;
using CriO.Server.Daemon;
using CriO.Server.Sandbox;
using CriO.Server.Stats;
using CriO.Server.Streaming;

namespace CriO.Server.Runtime;

/// <summary>
/// The CRI RuntimeService: one partial file per RPC (RuntimeService.NAME.cs), each a thin
/// handler over domain code. RPCs without a file here answer UNIMPLEMENTED with their name.
/// </summary>
public sealed partial class RuntimeService(
    DaemonState daemon, SandboxManager sandboxes, ContainerManager containers, ContainerEvents events, StatsCollector stats, StreamingServer streaming)
    : CriO.Cri.RuntimeService.RuntimeServiceBase
{
    private readonly DaemonState _daemon = daemon;
    private readonly SandboxManager _sandboxes = sandboxes;
    private readonly ContainerManager _containers = containers;
    private readonly ContainerEvents _events = events;
    private readonly StatsCollector _stats = stats;
    private readonly StreamingServer _streaming = streaming;

    /// <summary>Every call that names a pod or container checks the ID is there before anything else.</summary>
    private static void RequireId(string id, string field = "pod_sandbox_id")
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new Errors.InvalidArgumentException($"{field}: missing");
        }
    }

    private static void RequireContainerId(string id) => RequireId(id, "container_id");
}
