using CriO.Cri;

namespace CriO.Server.Sandbox;

/// <summary>
/// One pod sandbox: the namespaces, files, network and cgroup its containers share.
/// <code>
///   RunPodSandbox            StopPodSandbox             RemovePodSandbox
///  ───────────────▶ READY ──────────────────▶ NOTREADY ───────────────────▶ (gone)
///        │  (each step pushed     ▲   │                     ▲
///        │   on an undo list)     │   └── Stop again: no-op │
///        └─ failure: undone,      └────────── Remove of a READY pod stops it first
///           never listed
/// </code>
/// A pod is in the store only once RunPodSandbox has finished every step; while it is being
/// made only its name is reserved. After a daemon restart a pod whose namespaces or pause
/// process are gone (a reboot) comes back NOTREADY. The mutable parts change only under
/// <see cref="Gate"/>, which Stop and Remove of the same pod take in turn.
/// </summary>
public sealed class PodSandbox(PodSandboxRecord record)
{
    public PodSandboxRecord Record { get; private set; } = record;

    public string Id => Record.Id;

    public string Name => Record.Name;

    public PodSandboxConfig Config { get; } = PodSandboxConfig.Parser.ParseFrom(Convert.FromBase64String(record.Config));

    public bool IsReady => Record.State == PodSandboxRecord.Ready;

    /// <summary>One operation at a time per pod (Stop, Remove, and later container creation).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public void Update(PodSandboxRecord record) => Record = record;
}
