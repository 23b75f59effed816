using CriO.Cri;

namespace CriO.Server.Containers;

/// <summary>
/// One container of a pod.
/// <code>
///  CreateContainer        StartContainer          exits / StopContainer       RemoveContainer
/// ─────────────────▶ CREATED ─────────────▶ RUNNING ──────────────────▶ EXITED ──────────────▶ (gone)
///   (conmon runs              (runtime start)      (conmon writes the
///    runtime create)                                exit file: inotify, or
///                                                   the next read of it)
/// </code>
/// A container is in the store once CreateContainer has finished; while it is made only its
/// name is reserved. Its exit is noticed from conmon's exit file as it is written, and when its
/// state is read, so a container that exited while the daemon was down is found EXITED after a
/// restart. A container that exits while it starts is RUNNING first (never EXITED with no start).
/// </summary>
public sealed class Container(ContainerRecord record)
{
    public ContainerRecord Record { get; private set; } = record;

    public string Id => Record.Id;

    public string Name => Record.Name;

    public ContainerConfig Config { get; } = ContainerConfig.Parser.ParseFrom(Convert.FromBase64String(record.Config));

    /// <summary>One state-changing operation at a time (Start, Stop, Remove).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>StartContainer is under way: an exit file now belongs to after the start is recorded.</summary>
    public bool Starting
    {
        get => Volatile.Read(ref _starting);
        set => Volatile.Write(ref _starting, value);
    }

    private bool _starting;

    public void Update(ContainerRecord record) => Record = record;
}
